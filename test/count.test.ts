// count(): the CLI's and the report's digit grouping, equal to toLocaleString("en-US") for integers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { count } from "../src/io/count.ts";

test("count groups digits by commas exactly as toLocaleString(\"en-US\") does", () => {
  for (const n of [0, 5, 42, 999, 1000, 9999, 10000, 60000, 123456, 1234567, 9007199254740991, -1, -1000, -60000]) {
    assert.equal(count(n), n.toLocaleString("en-US"), String(n));
  }
  assert.equal(count(1234.5), (1234.5).toLocaleString("en-US"));
});
