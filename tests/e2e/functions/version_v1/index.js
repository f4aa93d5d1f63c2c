'use strict';
// Version 1 of a function whose code the tests replace with UpdateFunctionCode.
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms || 0));
  return { version: 1, pid: process.pid, greeting: process.env.GREETING || null };
};
