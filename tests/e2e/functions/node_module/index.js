// index.js is an ES module because package.json says "type": "module".
import { platform } from 'node:os';

export async function handler(event) {
  return { style: 'package.json type module', event, platform: platform() };
}
