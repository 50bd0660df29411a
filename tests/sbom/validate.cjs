// Validates CycloneDX JSON documents against the schema of their own
// specVersion, with the CycloneDX library's strict JSON validator (the
// official schemas, SPDX license ids and formats included, checked by ajv).
//
//   NODE_PATH=third_party/cdx-validate/node_modules node tests/sbom/validate.cjs FILE...
//
// Prints "FILE: valid CycloneDX X.Y" or "FILE: invalid CycloneDX X.Y: <first
// error>" per file; exits 0 when all are valid, 1 otherwise, 2 on bad input.
'use strict'
const fs = require('fs')
let lib
try {
  lib = require('@cyclonedx/cyclonedx-library')
} catch (e) {
  console.error('validate: @cyclonedx/cyclonedx-library is not installed (scripts/fetch-tool cdx-validate)')
  process.exit(2)
}

async function check (file) {
  let text, version
  try {
    text = fs.readFileSync(file, 'utf8')
    version = JSON.parse(text).specVersion
  } catch (e) {
    console.log(`${file}: not readable JSON: ${e.message}`)
    return false
  }
  let errors
  try {
    errors = await new lib.Validation.JsonStrictValidator(version).validate(text)
  } catch (e) {
    console.log(`${file}: cannot validate CycloneDX ${version}: ${e.message}`)
    return false
  }
  if (errors === null) {
    console.log(`${file}: valid CycloneDX ${version}`)
    return true
  }
  const first = Array.isArray(errors) && errors.length ? errors[0] : errors
  console.log(`${file}: invalid CycloneDX ${version}: ${JSON.stringify(first).slice(0, 400)}`)
  return false
}

(async () => {
  if (process.argv.length < 3) {
    console.error('usage: node tests/sbom/validate.cjs FILE...')
    process.exit(2)
  }
  let ok = true
  for (const f of process.argv.slice(2)) ok = (await check(f)) && ok
  process.exit(ok ? 0 : 1)
})()
