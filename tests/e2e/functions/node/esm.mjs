// An ES module handler (.mjs), with a top-level await as AWS's nodejs runtimes allow.
const loadedAt = await Promise.resolve('init');

export const handler = async (event) => ({ style: 'mjs', event, loadedAt });
