#!/usr/bin/env node
// Parses Terraform files with HashiCorp's own HCL parser (@cdktf/hcl2json, the Go parser built to
// WebAssembly) and prints one JSON object: { "<file>": <parsed body>, ... }.
// A file that does not parse ends the run with exit code 1 and the parser's message.
// Usage: node hcl2json.js [--out FILE] FILE.tf...   (--out writes the JSON there instead of stdout)
"use strict";
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

async function main(args) {
  let out = null;
  if (args[0] === "--out") {
    out = args[1];
    args = args.slice(2);
  }
  const files = args;
  if (files.length === 0) {
    console.error("usage: node hcl2json.js [--out FILE] FILE.tf...");
    return 2;
  }
  const parsed = {};
  for (const file of files) {
    try {
      parsed[file] = await parse(file, fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(`${file}: does not parse as HCL: ${e.message || e}`);
      return 1;
    }
  }
  const json = JSON.stringify(parsed);
  if (out) {
    fs.writeFileSync(out, json);
  } else {
    process.stdout.write(json);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
