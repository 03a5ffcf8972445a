// Types for `import "@tracepack/node/register"`: it only starts tracing.
export {};
