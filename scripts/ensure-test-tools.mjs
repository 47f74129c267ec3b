// Makes sure the Debian packages the tests run against are here: Chromium for the end-to-end
// tests (Playwright never downloads a browser) and slapd for the LDAP sign-in tests, which run
// against a real directory. As root this installs what is missing; otherwise it says what to
// install, in one line.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  { file: '/usr/bin/chromium', pkg: 'chromium' },
  { file: '/usr/sbin/slapd', pkg: 'slapd' },
];

const missing = needed.filter(({ file }) => !existsSync(file)).map(({ pkg }) => pkg);
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(
      `The tests need Debian's ${missing.join(' and ')}: run \`sudo apt-get install -y ${missing.join(' ')}\` and try again.`,
    );
    process.exit(1);
  }
  console.log(`Installing Debian's ${missing.join(', ')} for the tests`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}
