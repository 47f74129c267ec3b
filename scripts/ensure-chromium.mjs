// Makes sure Debian's Chromium is there for the end-to-end tests. Playwright never downloads a
// browser here: as root this installs the `chromium` package; otherwise it says what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = '/usr/bin/chromium';

if (!existsSync(chromium)) {
  if (process.getuid?.() !== 0) {
    console.error(
      `The end-to-end tests need Debian's Chromium at ${chromium}: run \`sudo apt-get install -y chromium\` and try again.`,
    );
    process.exit(1);
  }
  console.log(`${chromium} is missing; installing Debian's chromium package`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
