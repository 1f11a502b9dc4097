// Preloaded into a churn process (node --import) to stop it at the file operation matching the
// DIE_AT regular expression. Operations read as "open PATH", "copyFile FROM TO" or "rename FROM
// TO". By default the process is killed outright (SIGKILL), as a power cut would; with
// DIE_SIGNAL=SIGTERM or SIGINT it is sent that signal instead, and the operation waits a moment
// so the signal is handled before it goes on, as when a scheduler or Ctrl-C stops a run there.
// With DIE_SIGNAL=THROW the operation throws a plain Error instead: a bug, as the error boundary
// sees one. With an errno code (DIE_SIGNAL=EROFS, ENOSPC…) it fails as the system would, every
// time it matches: a read-only or full file system.
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const pattern = new RegExp(process.env.DIE_AT ?? '^$');
const signal = process.env.DIE_SIGNAL ?? 'SIGKILL';
let sent = false;
for (const name of ['open', 'rename', 'copyFile']) {
  const original = fs[name];
  fs[name] = async (...args) => {
    const operation = [name, ...args.slice(0, name === 'open' ? 1 : 2).map(String)].join(' ');
    if (/^E[A-Z]+$/.test(signal) && pattern.test(operation)) {
      throw Object.assign(new Error(`${signal}: injected, ${operation}`), {
        code: signal,
        errno: -30,
        syscall: name,
      });
    }
    if (!sent && pattern.test(operation)) {
      sent = true;
      if (signal === 'THROW') throw new Error(`injected failure at ${operation}`);
      process.kill(process.pid, signal);
      await sleep(200);
    }
    return original(...args);
  };
}
syncBuiltinESMExports();
