import type { Attributes } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PACKAGE_VERSION } from './version';
import { sha256Hex } from './utils';

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables that tell a CI run, with the name sent for each. `CI` alone: `ci`. */
const CI_VARIABLES: readonly [variable: string, name: string][] = [
  ['GITHUB_ACTIONS', 'github_actions'],
  ['GITLAB_CI', 'gitlab'],
  ['CIRCLECI', 'circleci'],
  ['TRAVIS', 'travis'],
  ['BUILDKITE', 'buildkite'],
  ['JENKINS_URL', 'jenkins'],
  ['TEAMCITY_VERSION', 'teamcity'],
  ['TF_BUILD', 'azure_pipelines'],
  ['BITBUCKET_BUILD_NUMBER', 'bitbucket'],
  ['DRONE', 'drone'],
  ['APPVEYOR', 'appveyor'],
  ['CODEBUILD_BUILD_ID', 'aws_codebuild'],
  ['SEMAPHORE', 'semaphore'],
  ['BUILD_BUILDID', 'azure_pipelines'],
  ['CI', 'ci'],
];

/** Deployment environments (and NODE_ENV values) of a run that is not a real deployment. */
const LOCAL_ENVIRONMENTS = new Set([
  'local',
  'development',
  'dev',
  'test',
  'testing',
  'tutorial',
  'demo',
  'quickstart',
  'ci',
]);

/** What the service says about itself (code beats the environment, which beats package.json). */
export interface ServiceFacts {
  name?: string;
  version?: string;
  gitHash?: string;
  buildTime?: string | Date;
  deploymentEnvironment?: string;
}

export interface IdentityInput {
  service: ServiceFacts;
  /** Values the service declares stable across restarts and instances (its public URL): the installation id is their SHA-256. */
  installation?: readonly string[];
  /** The service says this run is local (a tutorial, a developer's machine). */
  local?: boolean;
  installationSalt?: string;
  env: Env;
  cwd: string;
}

/** Who is reporting: ids drawn at start, the salts, the traits sent once identified. */
export interface Identity {
  /** UUIDv4 drawn at each start: `service.instance.id`. */
  readonly instanceId: string;
  /** SHA-256 of the declared stable values (or of the instance id when none are declared). */
  readonly installationId: string;
  /** UUIDv4 drawn at each start: the salt of hashed path segments and query values. */
  readonly pathSalt: string;
  /** The installation's salt for user and organization ids (sqa.installation_salt), else the path salt. */
  readonly activitySalt: string;
  /** CI name when a CI was detected from the environment. */
  readonly ci: string | undefined;
  /** A local or tutorial run (declared, or by its deployment environment or NODE_ENV). */
  readonly local: boolean;
  readonly startedAt: number;
  readonly traits: Attributes;
}

export function buildIdentity(input: IdentityInput): Identity {
  const instanceId = randomUUID();
  const pathSalt = randomUUID();
  const stable = input.installation?.filter((v) => typeof v === 'string' && v !== '') ?? [];
  const installationId = sha256Hex(stable.length > 0 ? `installation|${stable.join('\n')}` : `instance|${instanceId}`);
  const environment = input.service.deploymentEnvironment;
  const nodeEnv = input.env.NODE_ENV?.trim().toLowerCase();
  return {
    instanceId,
    installationId,
    pathSalt,
    activitySalt: input.installationSalt ?? pathSalt,
    ci: detectCi(input.env),
    local:
      input.local === true ||
      (environment !== undefined && LOCAL_ENVIRONMENTS.has(environment.toLowerCase())) ||
      (nodeEnv !== undefined && LOCAL_ENVIRONMENTS.has(nodeEnv)),
    startedAt: Date.now(),
    traits: traitsOf(input),
  };
}

export function detectCi(env: Env): string | undefined {
  for (const [variable, name] of CI_VARIABLES) {
    const v = env[variable]?.trim().toLowerCase();
    if (v !== undefined && v !== '' && v !== 'false' && v !== '0') return name;
  }
  return undefined;
}

/**
 * The resource of a report. Until the instance looks like a real deployment (not CI, not
 * local, up for identify_after) it is a test instance: its instance id and why, nothing
 * else. Then its installation id and traits.
 */
export function reportResource(identity: Identity, uptimeMs: number, identifyAfterMs: number): Attributes {
  const base: Attributes = { 'service.instance.id': identity.instanceId, 'tracepack.usage.version': PACKAGE_VERSION };
  const reason =
    identity.ci !== undefined ? 'ci' : identity.local ? 'local' : uptimeMs < identifyAfterMs ? 'warming_up' : undefined;
  if (reason !== undefined) {
    return {
      ...base,
      'tracepack.usage.identified': false,
      'tracepack.usage.test_reason': reason,
      ...(identity.ci ? { 'tracepack.usage.ci.name': identity.ci } : {}),
    };
  }
  return {
    ...base,
    'tracepack.usage.identified': true,
    'tracepack.usage.installation.id': identity.installationId,
    ...identity.traits,
  };
}

const ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: 'x86',
  arm: 'arm32',
  ppc64: 'ppc64',
  s390x: 's390x',
};
const OS: Readonly<Record<string, string>> = {
  win32: 'windows',
  darwin: 'darwin',
  linux: 'linux',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  sunos: 'solaris',
  aix: 'aix',
};

function traitsOf(input: IdentityInput): Attributes {
  const pkg = nearestPackageJson(input.cwd);
  const env = input.env;
  const traits: Attributes = {
    'os.type': OS[process.platform] ?? process.platform,
    'host.arch': ARCH[process.arch] ?? process.arch,
    'tracepack.usage.cpu.count': cpus().length,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  };
  const name = input.service.name ?? pkg?.name;
  const version = input.service.version ?? pkg?.version;
  if (name) traits['service.name'] = name;
  if (version) traits['service.version'] = version;
  // Only values of the expected shape: a variable holding something else is never sent.
  const git = [
    input.service.gitHash,
    env.GIT_COMMIT,
    env.GIT_SHA,
    env.COMMIT_SHA,
    env.SOURCE_COMMIT,
    env.SOURCE_VERSION,
    pkg?.gitHead,
  ].find((v) => typeof v === 'string' && /^[0-9a-f]{7,40}$/i.test(v));
  if (git) traits['vcs.ref.head.revision'] = git.toLowerCase();
  const built = [input.service.buildTime, env.BUILD_TIME, env.BUILD_DATE, pkg?.buildTime]
    .map(isoTime)
    .find((v) => v !== undefined);
  if (built) traits['tracepack.usage.build_time'] = built;
  if (input.service.deploymentEnvironment) traits['deployment.environment.name'] = input.service.deploymentEnvironment;
  return traits;
}

function isoTime(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = v instanceof Date ? v : new Date(typeof v === 'number' ? v : String(v));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function nearestPackageJson(
  start: string,
): { name?: string; version?: string; gitHead?: string; buildTime?: string } | undefined {
  let dir = resolve(start);
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as {
          name?: string;
          version?: string;
          gitHead?: string;
          buildTime?: string;
        };
      } catch {
        return undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
