'use strict';
// A handler in a subdirectory: Handler "dir/file.fn".
exports.fn = async (event) => ({ style: 'dir/file.fn', event });
