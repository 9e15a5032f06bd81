// What the browser tests share: their settings from the environment (a missing one stops
// the run with "not ok - setup"), and the browser to drive (Debian's, never a download).
export const need = (k) => {
  const v = process.env[k];
  if (!v) {
    console.error(`not ok - setup: ${k} is not set`);
    process.exit(2);
  }
  return v;
};

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
