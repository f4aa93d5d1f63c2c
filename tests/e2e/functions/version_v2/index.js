'use strict';
// Version 2 of a function whose code the tests replace with UpdateFunctionCode.
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms || 0));
  return { version: 2, pid: process.pid, greeting: process.env.GREETING || null };
};
