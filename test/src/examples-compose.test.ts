// quickstart.yml + quickstart-tracing.yml + examples/Dockerfile, checked without Docker:
// every TRACING_* variable is a real config key with a valid value, the addresses in them
// match the Jaeger service's ports, and everything the Dockerfile and the compose commands
// run exists (package.json scripts, compiled entry points, referenced projects); the usage
// collector and its own database are wired: SQA_* variables are sqa config keys that turn the
// reporter on toward the collector, whose command and variables `tracepack usage serve` has.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSqaConfig, loadTracingConfig, schemaKeys, sqaSchemaKeys } from '@tracepack/config';
import { parseServeArgs, SERVE_USAGE } from '@tracepack/usage-collector';
import { parse as parseYaml } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');
const TRACING_ENV_KEYS = new Set(schemaKeys().map((k) => k.env));
const SQA_ENV_KEYS = new Set(sqaSchemaKeys().map((k) => k.env));
/** The variables `tracepack usage serve` reads, from its own help text (`(env PORT; ...`). */
const SERVE_ENV_KEYS = new Set([...SERVE_USAGE.matchAll(/\(env ([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: number | string; protocol?: string })[];
  healthcheck?: { test?: string | string[] };
  depends_on?: Record<string, { condition?: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

function readCompose(name: string): ComposeFile {
  return parseYaml(readFileSync(join(ROOT, name), 'utf8')) as ComposeFile;
}

/** `environment:` in either form -> a map (values as strings, as the container sees them). */
function envOf(service: ComposeService | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const env = service?.environment;
  if (Array.isArray(env)) {
    for (const entry of env) {
      const i = entry.indexOf('=');
      out[i === -1 ? entry : entry.slice(0, i)] = i === -1 ? '' : entry.slice(i + 1);
    }
  } else if (env) {
    for (const [k, v] of Object.entries(env)) out[k] = v === null ? '' : String(v);
  }
  return out;
}

/** Container ports of a service: `"6831:6831/udp"` -> { port: 6831, protocol: 'udp' }. */
function containerPorts(service: ComposeService): { port: number; protocol: string }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return { port: p.target, protocol: p.protocol ?? 'tcp' };
    const [spec, protocol = 'tcp'] = String(p).split('/');
    const parts = spec!.split(':');
    return { port: Number(parts[parts.length - 1]), protocol: protocol! };
  });
}

const base = readCompose('quickstart.yml');
const overlay = readCompose('quickstart-tracing.yml');
const APP_SERVICES = ['clients-service', 'gateway'] as const;
const merged = (svc: string): Record<string, string> => ({
  ...envOf(base.services[svc]),
  ...envOf(overlay.services[svc]),
});
const exampleDir = (svc: string): string => join(ROOT, 'examples', svc);

/** Loads the service's tracing config as its container would: its config.yml and this environment. */
function loadFor(svc: string, env: Record<string, string>) {
  return loadTracingConfig({ env, configFile: join(exampleDir(svc), 'config.yml'), cwd: exampleDir(svc) });
}

describe('examples: quickstart compose files', () => {
  it('set only TRACING_* and SQA_* variables that are config keys', () => {
    for (const [file, doc] of [
      ['quickstart.yml', base],
      ['quickstart-tracing.yml', overlay],
    ] as const) {
      for (const [name, svc] of Object.entries(doc.services)) {
        for (const key of Object.keys(envOf(svc)).filter((k) => k.startsWith('TRACING_'))) {
          assert.ok(TRACING_ENV_KEYS.has(key), `${file} ${name}: ${key} is not a tracing config key`);
        }
        for (const key of Object.keys(envOf(svc)).filter((k) => k.startsWith('SQA_'))) {
          assert.ok(SQA_ENV_KEYS.has(key), `${file} ${name}: ${key} is not an sqa config key`);
        }
      }
    }
  });

  it("point clients-service's usage reporter at the usage collector, and the collector at its own PostgreSQL", () => {
    const collector = base.services['usage-collector'];
    const usageDb = base.services['usage-db'];
    assert.ok(collector, 'quickstart.yml has no usage-collector service');
    assert.ok(usageDb, 'quickstart.yml has no usage-db service');
    assert.match(usageDb.image ?? '', /^postgres:/);

    // The reporter is on, toward the collector's container port, as clients-service loads it.
    const env = merged('clients-service');
    const sqa = loadSqaConfig({ env, configFile: join(exampleDir('clients-service'), 'config.yml') });
    assert.equal(sqa.enabled, true, `usage statistics off in clients-service: ${sqa.offReason}`);
    const endpoint = new URL(sqa.config.endpoint!);
    assert.equal(endpoint.hostname, 'usage-collector');
    const collectorEnv = envOf(collector);
    for (const key of Object.keys(collectorEnv))
      assert.ok(
        SERVE_ENV_KEYS.has(key),
        `usage-collector: ${key} is not a variable of tracepack usage serve (${[...SERVE_ENV_KEYS].join(', ')})`,
      );
    assert.equal(endpoint.port, collectorEnv.PORT, "SQA_ENDPOINT is not the collector's PORT");
    assert.ok(
      containerPorts(collector).some((p) => String(p.port) === collectorEnv.PORT),
      'the collector does not publish its port',
    );
    // Jaeger of the tracing overlay takes 4318 on the host: the collector is published elsewhere.
    const published = (svc: ComposeService): string[] =>
      (svc.ports ?? []).map((p) =>
        typeof p === 'object' ? String(p.published ?? '') : (String(p).split(':').slice(-2, -1)[0] ?? ''),
      );
    const taken = new Set(
      [...Object.values(base.services), ...Object.values(overlay.services)]
        .filter((svc) => svc !== collector)
        .flatMap(published),
    );
    for (const port of published(collector))
      assert.ok(!taken.has(port), `usage-collector publishes ${port}, which another service publishes too`);
    const healthyWhen = (base.services['clients-service']!.depends_on ?? {})['usage-collector'];
    assert.ok(healthyWhen, 'clients-service does not depend on usage-collector');

    // The collector stores into usage-db, not into the service's database.
    const db = new URL(collectorEnv.DATABASE_URL!);
    assert.equal(db.hostname, 'usage-db');
    const pg = envOf(usageDb);
    assert.equal(decodeURIComponent(db.username), pg.POSTGRES_USER);
    assert.equal(decodeURIComponent(db.password), pg.POSTGRES_PASSWORD);
    assert.equal(db.pathname.slice(1), pg.POSTGRES_DB);
    assert.notEqual(db.hostname, new URL(envOf(base.services['clients-service']).DATABASE_URL!).hostname);
    assert.ok((collector.depends_on ?? {})['usage-db'], 'usage-collector does not depend on usage-db');
  });

  it('start both services with tracing off, and with the overlay send to Jaeger', () => {
    for (const svc of APP_SERVICES) {
      assert.ok(base.services[svc], `quickstart.yml has no ${svc}`);
      const off = loadFor(svc, envOf(base.services[svc]));
      assert.equal(off.enabled, false, `${svc}: tracing is on in quickstart.yml`);
      const on = loadFor(svc, merged(svc));
      assert.equal(on.enabled, true);
      assert.equal(on.config.provider, 'jaeger');
      assert.equal(on.config.service_name, svc);
      assert.equal(on.config.providers.jaeger.local_agent_address, 'jaeger:6831');
      assert.equal(on.config.providers.jaeger.sampling.server_url, 'http://jaeger:5778/sampling');
    }
  });

  it('point the TRACING_* addresses at ports the jaeger service has', () => {
    const jaeger = overlay.services.jaeger;
    assert.ok(jaeger, 'quickstart-tracing.yml has no jaeger service');
    assert.match(jaeger.image ?? '', /^jaegertracing\/jaeger:2\./);
    const ports = containerPorts(jaeger);
    const has = (port: number, protocol: string): boolean =>
      ports.some((p) => p.port === port && p.protocol === protocol);
    for (const [port, protocol] of [
      [16686, 'tcp'],
      [4317, 'tcp'],
      [4318, 'tcp'],
      [6831, 'udp'],
      [6832, 'udp'],
      [5778, 'tcp'],
    ] as const) {
      assert.ok(has(port, protocol), `jaeger does not publish ${port}/${protocol}`);
    }
    for (const svc of APP_SERVICES) {
      for (const [key, value] of Object.entries(envOf(overlay.services[svc]))) {
        if (!key.startsWith('TRACING_')) continue;
        const url = /^https?:\/\//.test(value)
          ? new URL(value)
          : /^[\w.-]+:\d+$/.test(value)
            ? new URL(`udp://${value}`)
            : undefined;
        if (!url) continue;
        assert.equal(url.hostname, 'jaeger', `${svc} ${key}=${value}: not the jaeger service`);
        // The agent takes Thrift over UDP; everything else is HTTP.
        const protocol = key.endsWith('_LOCAL_AGENT_ADDRESS') ? 'udp' : 'tcp';
        assert.ok(has(Number(url.port), protocol), `${svc} ${key}=${value}: jaeger has no ${url.port}/${protocol}`);
      }
    }
  });

  it('keep a valid Zipkin alternative in comments', () => {
    const text = readFileSync(join(ROOT, 'quickstart-tracing.yml'), 'utf8');
    const commented = Object.fromEntries(
      [...text.matchAll(/^\s*#\s*(TRACING_[A-Z0-9_]+):\s*(\S+)\s*$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    assert.equal(commented.TRACING_PROVIDER, 'zipkin');
    for (const key of Object.keys(commented))
      assert.ok(TRACING_ENV_KEYS.has(key), `${key} (commented) is not a tracing config key`);
    for (const svc of APP_SERVICES) {
      const zipkin = loadFor(svc, { ...merged(svc), ...commented });
      assert.equal(zipkin.config.provider, 'zipkin');
      const port = new URL(zipkin.config.providers.zipkin.server_url).port;
      assert.match(text, new RegExp(`#\\s*- "${port}:${port}"`), `no commented zipkin port ${port}`);
    }
  });

  it('wire the gateway to clients-service and clients-service to PostgreSQL', () => {
    const service = envOf(base.services['clients-service']);
    const gateway = envOf(base.services.gateway);
    assert.equal(new URL(gateway.UPSTREAM_URL!).hostname, 'clients-service');
    assert.equal(new URL(gateway.UPSTREAM_URL!).port, service.PORT);
    assert.ok(containerPorts(base.services['clients-service']!).some((p) => String(p.port) === service.PORT));
    assert.ok(containerPorts(base.services.gateway!).some((p) => String(p.port) === gateway.GATEWAY_PORT));
    const db = new URL(service.DATABASE_URL!);
    assert.equal(db.hostname, 'postgres');
    const pg = envOf(base.services.postgres);
    assert.equal(decodeURIComponent(db.username), pg.POSTGRES_USER);
    assert.equal(decodeURIComponent(db.password), pg.POSTGRES_PASSWORD);
    assert.equal(db.pathname.slice(1), pg.POSTGRES_DB);
  });
});

describe('examples: Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'examples', 'Dockerfile'), 'utf8');
  // Continuation lines joined; comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const rootRefs = (
    JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { references: { path: string }[] }
  ).references.map((r) => r.path);
  const serviceNames = [
    ...new Set([
      ...instructions.filter((l) => /^ARG SERVICE=/.test(l)).map((l) => l.slice('ARG SERVICE='.length)),
      ...APP_SERVICES.map((s) => {
        const args = base.services[s]!.build?.args;
        return Array.isArray(args) ? args.find((a) => a.startsWith('SERVICE='))!.slice(8) : args!.SERVICE!;
      }),
    ]),
  ];

  /** A `node <file>` the image runs: compiled from a source of a project `tsc -b` builds. */
  function assertRunnable(file: string, where: string): void {
    const m = /^examples\/([\w-]+)\/dist\/(src\/[\w/-]+)\.js$/.exec(file);
    assert.ok(m, `${where}: node ${file} is not an example's compiled entry point`);
    const [, project, source] = m;
    assert.ok(
      existsSync(join(ROOT, 'examples', project!, `${source}.ts`)),
      `${where}: examples/${project}/${source}.ts does not exist`,
    );
    assert.ok(
      rootRefs.includes(`examples/${project}`),
      `${where}: examples/${project} is not in the root tsconfig references (tsc -b would not build it)`,
    );
  }

  /** Checks one shell command line of the Dockerfile or a compose command. */
  function assertCommand(words: string[], where: string): void {
    const [cmd, ...args] = words;
    if (cmd === 'npm' && args[0] === 'run') {
      assert.ok(rootPkg.scripts[args[1]!], `${where}: npm run ${args[1]}: no such script in package.json`);
    } else if (cmd === 'npm' && args[0] === 'ci') {
      assert.ok(existsSync(join(ROOT, 'package-lock.json')), `${where}: npm ci needs package-lock.json`);
    } else if (cmd === 'npm' && args[0] === 'prune') {
      // needs nothing but node_modules
    } else if (cmd === 'npx' && args[0] === 'tsc') {
      assert.ok(existsSync(join(ROOT, 'tsconfig.json')), `${where}: tsc -b needs tsconfig.json`);
      assert.ok(existsSync(join(ROOT, 'node_modules', 'typescript', 'package.json')), 'typescript is installed');
    } else if (cmd === 'node') {
      if (args[0] === '-e') return;
      for (const svc of serviceNames) assertRunnable(args[0]!.replace(/\$\{SERVICE\}|\$SERVICE/g, svc), where);
    } else {
      assert.fail(`${where}: unexpected command ${words.join(' ')}`);
    }
  }

  it('builds on a supported Node.js line, the one CI tests first', () => {
    const versions = readFileSync(join(ROOT, 'scripts', 'node-versions.sh'), 'utf8');
    const lines = /NODE_LINES=\(([^)]*)\)/.exec(versions)![1]!.trim().split(/\s+/);
    const arg = instructions.find((l) => l.startsWith('ARG NODE_VERSION='));
    assert.equal(arg, `ARG NODE_VERSION=${lines[0]}`);
  });

  it('is multi-stage: builds with npm ci and tsc -b, runs on a slim image as USER node', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'expected a build and a runtime stage');
    assert.match(froms.at(-1)!, /slim/);
    const lastFrom = instructions.lastIndexOf(froms.at(-1)!);
    assert.ok(instructions.slice(lastFrom).includes('USER node'), 'the runtime stage runs as USER node');
    const runs = instructions.filter((l) => l.startsWith('RUN ')).join('\n');
    assert.match(runs, /npm ci/);
    assert.match(runs, /npx tsc -b/);
  });

  it('runs only scripts and files that exist', () => {
    for (const line of instructions.filter((l) => l.startsWith('RUN '))) {
      for (const part of line.slice(4).split('&&')) assertCommand(part.trim().split(/\s+/), line);
    }
    const cmd = instructions.filter((l) => l.startsWith('CMD ')).at(-1);
    assert.ok(cmd, 'no CMD');
    const argv = JSON.parse(cmd.slice(4)) as string[];
    const shell = argv[0] === 'sh' && argv[1] === '-c' ? argv[2]!.replace(/^exec\s+/, '').split(/\s+/) : argv;
    assertCommand(shell, cmd);
    for (const line of instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from'))) {
      const [src] = line.split(/\s+/).slice(1);
      assert.ok(src === '.' || existsSync(join(ROOT, src!)), `${line}: ${src} does not exist`);
    }
    for (const line of instructions.filter((l) => l.startsWith('COPY --from=build'))) {
      const src = line.split(/\s+/)[2]!.replace(/^\/app\/?/, '');
      // node_modules is made by npm ci in the build stage; the rest comes from the repository.
      assert.ok(src === 'node_modules' || existsSync(join(ROOT, src)), `${line}: ${src} does not exist`);
    }
  });

  it('runs the usage collector with a tracepack command the image has', () => {
    const service = base.services['usage-collector']!;
    assert.ok(service.build, 'usage-collector is not built');
    assert.equal(
      join(ROOT, service.build.context ?? '.', service.build.dockerfile ?? 'Dockerfile'),
      join(ROOT, 'examples', 'Dockerfile'),
    );
    const words = Array.isArray(service.command) ? service.command : String(service.command ?? '').split(/\s+/);
    const [node, bin, group, sub, ...flags] = words;
    assert.equal(node, 'node');
    // The image holds packages/ (COPY --from=build /app/packages) and the workspace links in node_modules.
    assert.equal(bin, 'packages/tracepack/bin/tracepack.js');
    assert.ok(existsSync(join(ROOT, bin)), `${bin} does not exist`);
    assert.ok(instructions.includes('COPY --from=build /app/packages ./packages'), 'the image does not hold packages/');
    assert.deepEqual([group, sub], ['usage', 'serve']);
    assert.ok(
      existsSync(join(ROOT, 'node_modules', '@tracepack', 'usage-collector', 'package.json')),
      '@tracepack/usage-collector is not a workspace package',
    );
    const parsed = parseServeArgs(flags);
    assert.equal(parsed.get('host'), '0.0.0.0', 'the collector must listen beyond loopback in its container');
    const test = service.healthcheck?.test;
    if (Array.isArray(test) && test[0] === 'CMD')
      assertCommand(test.slice(1), 'quickstart.yml usage-collector healthcheck');
  });

  it('is what the compose files build, and their commands exist', () => {
    for (const svc of APP_SERVICES) {
      const service = base.services[svc]!;
      assert.ok(service.build, `${svc} is not built`);
      assert.equal(
        join(ROOT, service.build.context ?? '.', service.build.dockerfile ?? 'Dockerfile'),
        join(ROOT, 'examples', 'Dockerfile'),
      );
      assert.ok(existsSync(join(exampleDir(svc), 'package.json')), `${svc}: no example package`);
      if (service.command) {
        const words = Array.isArray(service.command) ? service.command : service.command.split(/\s+/);
        assertCommand(words, `quickstart.yml ${svc} command`);
        assert.ok(words.join(' ').includes(`examples/${svc}/`), `${svc} runs another service's entry point`);
      }
      const test = service.healthcheck?.test;
      if (Array.isArray(test) && test[0] === 'CMD') assertCommand(test.slice(1), `quickstart.yml ${svc} healthcheck`);
    }
  });
});
