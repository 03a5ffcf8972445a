/**
 * Config values are trees: every step of loading (labelling sources, merging, validating,
 * printing, error messages) walks them. A YAML alias to a node that contains it (`tracing: &t
 * {service_name: *t}`) or an object from code that contains itself makes a cycle, and a walk
 * of a cycle never ends; a nesting thousands deep overflows the stack of `structuredClone` and
 * `JSON.stringify`. Both are refused where a value enters, with the key where it happens.
 */

/**
 * Deepest nesting read below `tracing:` or `sqa:`. The schemas nest five levels at most (a map
 * or list included); the margin is for wrong values (a mapping where a string belongs), which
 * are reported as such.
 */
export const MAX_DEPTH = 64;

export interface ShapeProblem {
  /** `cycle`: the value at `path` contains itself; `depth`: nested deeper than MAX_DEPTH; `not-data`: a function or symbol. */
  kind: 'cycle' | 'depth' | 'not-data';
  /** Keys (and list indexes) from the root to the value. */
  path: string[];
}

interface Frame {
  node: object;
  keys: string[];
  next: number;
  path: string[];
  /** Levels below this node seen so far. */
  height: number;
}

/**
 * The first cycle, too deep nesting or function in `root`, or undefined when it is a plain data
 * tree. Iterative (a deep value cannot overflow the check itself), and linear in the tree's size
 * even when its branches share nodes (YAML aliases without a cycle, a DAG built in code): a node
 * already checked whole is not walked again.
 */
export function findShapeProblem(root: unknown, maxDepth = MAX_DEPTH): ShapeProblem | undefined {
  if (typeof root === 'function' || typeof root === 'symbol') return { kind: 'not-data', path: [] };
  if (typeof root !== 'object' || root === null) return undefined;
  const onPath = new Set<object>([root]);
  const checked = new Map<object, number>(); // node -> its height
  const stack: Frame[] = [{ node: root, keys: Object.keys(root), next: 0, path: [], height: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.keys.length) {
      stack.pop();
      onPath.delete(top.node);
      checked.set(top.node, top.height);
      const parent = stack[stack.length - 1];
      if (parent) parent.height = Math.max(parent.height, top.height + 1);
      continue;
    }
    const key = top.keys[top.next++]!;
    const value: unknown = (top.node as Record<string, unknown>)[key];
    if (typeof value === 'function' || typeof value === 'symbol') return { kind: 'not-data', path: [...top.path, key] };
    if (typeof value !== 'object' || value === null) continue;
    const depth = stack.length; // of `value`: the root is at 0
    if (onPath.has(value)) return { kind: 'cycle', path: [...top.path, key] };
    const height = checked.get(value);
    if (height !== undefined) {
      if (depth + height > maxDepth) return { kind: 'depth', path: [...top.path, key] };
      top.height = Math.max(top.height, height + 1);
      continue;
    }
    if (depth > maxDepth) return { kind: 'depth', path: [...top.path, key] };
    onPath.add(value);
    stack.push({ node: value, keys: Object.keys(value), next: 0, path: [...top.path, key], height: 0 });
  }
  return undefined;
}

/** What a problem is, in words: `a recursive YAML alias (the value contains itself)`. */
export function describeShapeProblem(problem: ShapeProblem, fromFile: boolean): string {
  switch (problem.kind) {
    case 'cycle':
      return fromFile
        ? 'a recursive YAML alias (the value contains itself); not read'
        : 'the value contains itself (a cycle); not read';
    case 'depth':
      return `nested deeper than ${MAX_DEPTH} levels; not read`;
    default:
      return 'a function or symbol is not a config value';
  }
}
