import { main } from './main';
import { usageMain } from './sqa-commands';

const io = {
  out: (s: string) => process.stdout.write(s),
  err: (s: string) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
};
const argv = process.argv.slice(2);
if (argv[0] === 'usage') void usageMain(argv.slice(1), io).then((code) => (process.exitCode = code));
else process.exitCode = main(argv, io);
