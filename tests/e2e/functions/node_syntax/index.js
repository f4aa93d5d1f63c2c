'use strict';
// Deliberately not JavaScript: the runtime reports Runtime.UserCodeSyntaxError.
exports.handler = async (event) => {
  return { broken: ;
};
