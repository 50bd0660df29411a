#!/usr/bin/python3
"""Unit tests of scripts/sbom on fixtures (tests/fixtures/sbom/) and on
objects compiled here with the host's cc. Run by tests/sbom.sh:

  python3 tests/sbom/test_sbom.py --tap     one "ok - ..." / "not ok - ..." line per test
"""

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(TOP, "tests", "fixtures", "sbom")
SCRIPT = os.path.join(TOP, "scripts", "sbom")

_loader = importlib.machinery.SourceFileLoader("sbom", SCRIPT)
_spec = importlib.util.spec_from_loader("sbom", _loader)
sbom = importlib.util.module_from_spec(_spec)
_loader.exec_module(sbom)


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def facts(**over):
    f = {
        "name": "hello", "version": "1.0.0", "arch": "amd64", "epoch": 1792525534,
        "mbedtls": {"version": "3.6.6", "sha256": "8f" * 32,
                    "url": "https://example.invalid/mbedtls-3.6.6.tar.bz2",
                    "patches": ["patches/mbedtls-0001-a.patch", "patches/mbedtls-0002-b.patch"]},
        "musl": {"version": "1.2.3", "libc": "/usr/lib/x86_64-linux-musl/libc.a"},
        "ca": {"name": "ca-certificates", "version": "20250419~deb12u2", "vendor": "Debian",
               "sha256": "e9" * 32},
    }
    f.update(over)
    return f


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sbom-test.")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def cc(self, src, out, *flags):
        with open(self.path("x.c"), "w") as f:
            f.write(src)
        r = run("cc", *flags, self.path("x.c"), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)


class Document(unittest.TestCase):
    def setUp(self):
        self.doc = sbom.document(facts(), "ab" * 32)
        self.bom = json.loads(self.doc)

    def test_minified_ascii_one_line(self):
        self.assertTrue(self.doc.endswith(b"\n") and self.doc.count(b"\n") == 1)
        self.assertNotIn(b'": ', self.doc)
        self.assertNotIn(b", ", self.doc.split(b'"value"')[0])
        self.doc.decode("ascii")

    def test_cyclonedx_1_5(self):
        self.assertEqual((self.bom["bomFormat"], self.bom["specVersion"], self.bom["version"]),
                         ("CycloneDX", "1.5", 1))

    def test_timestamp_is_the_epoch(self):
        self.assertEqual(self.bom["metadata"]["timestamp"], "2026-10-20T19:45:34Z")
        bom0 = json.loads(sbom.document(facts(epoch=0), "0" * 64))
        self.assertEqual(bom0["metadata"]["timestamp"], "1970-01-01T00:00:00Z")

    def test_the_same_facts_the_same_bytes(self):
        self.assertEqual(sbom.document(facts(), "ab" * 32), self.doc)

    def test_no_path_or_build_detail(self):
        # The libc path is a fact of this machine, not of the program: it
        # must not reach the document (a container build has another).
        self.assertNotIn(b"/usr/lib", self.doc)
        self.assertEqual(sbom.document(facts(musl={"version": "1.2.3", "libc": "/elsewhere/libc.a"}),
                                       "ab" * 32), self.doc)

    def test_length_does_not_depend_on_the_digest(self):
        self.assertEqual(len(sbom.document(facts(), sbom.PLACEHOLDER)), len(self.doc))

    def test_hello_and_what_its_digest_covers(self):
        c = self.bom["metadata"]["component"]
        self.assertEqual((c["type"], c["name"], c["version"], c["purl"]),
                         ("application", "hello", "1.0.0", "pkg:generic/hello@1.0.0"))
        self.assertEqual(c["hashes"], [{"alg": "SHA-256", "content": "ab" * 32}])
        self.assertIn({"name": "hello:sha256", "value": sbom.DIGEST_PROPERTY[1]}, c["properties"])

    def test_mbedtls(self):
        m = self.bom["components"][0]
        self.assertEqual((m["name"], m["version"], m["purl"], m["cpe"]),
                         ("mbedtls", "3.6.6", "pkg:generic/mbedtls@3.6.6",
                          "cpe:2.3:a:arm:mbed_tls:3.6.6:*:*:*:*:*:*:*"))
        self.assertEqual(m["licenses"], [{"expression": "Apache-2.0 OR GPL-2.0-or-later"}])
        ref = m["externalReferences"][0]
        self.assertEqual(ref["hashes"], [{"alg": "SHA-256", "content": "8f" * 32}])
        self.assertEqual([p["diff"]["url"] for p in m["pedigree"]["patches"]],
                         ["patches/mbedtls-0001-a.patch", "patches/mbedtls-0002-b.patch"])
        self.assertEqual({p["type"] for p in m["pedigree"]["patches"]}, {"unofficial"})

    def test_no_patches_no_empty_claim(self):
        f = facts()
        f["mbedtls"]["patches"] = []
        bom = json.loads(sbom.document(f, "0" * 64))
        self.assertEqual(bom["components"][0]["pedigree"]["patches"], [])

    def test_musl(self):
        m = self.bom["components"][1]
        self.assertEqual((m["name"], m["version"], m["purl"], m["cpe"], m["licenses"]),
                         ("musl", "1.2.3", "pkg:generic/musl@1.2.3",
                          "cpe:2.3:a:musl-libc:musl:1.2.3:*:*:*:*:*:*:*", [{"license": {"id": "MIT"}}]))

    def test_ca_bundle(self):
        c = self.bom["components"][2]
        self.assertEqual((c["type"], c["name"], c["version"]), ("data", "ca-certificates", "20250419~deb12u2"))
        self.assertEqual(c["purl"], "pkg:deb/debian/ca-certificates@20250419~deb12u2?arch=all")
        self.assertEqual(c["hashes"], [{"alg": "SHA-256", "content": "e9" * 32}])
        self.assertEqual(c["licenses"], [{"license": {"id": "MPL-2.0"}}])

    def test_ca_of_another_vendor_is_generic(self):
        f = facts()
        f["ca"]["vendor"] = "Mozilla"
        c = json.loads(sbom.document(f, "0" * 64))["components"][2]
        self.assertEqual(c["purl"], "pkg:generic/ca-certificates@20250419~deb12u2")

    def test_dependencies(self):
        self.assertEqual(self.bom["dependencies"],
                         [{"ref": "hello", "dependsOn": ["mbedtls", "musl", "ca-certificates"]}])
        refs = {c["bom-ref"] for c in self.bom["components"]}
        self.assertTrue(set(self.bom["dependencies"][0]["dependsOn"]) <= refs)


RING = {"name": "ring", "version": "0.17.14", "license": "Apache-2.0 AND ISC",
        "url": "https://github.com/briansmith/ring", "purl": "pkg:cargo/ring@0.17.14",
        "sha256": "a4" * 32, "tarball": "rust-ring_0.17.14.orig.tar.gz"}


class Deps(Tmp):
    """deps/NAME.facts: another pinned component, without code changes."""

    def write(self, name, text):
        os.makedirs(self.path("deps"), exist_ok=True)
        with open(os.path.join(self.path("deps"), name), "w") as f:
            f.write(text)

    def test_a_dep_is_one_more_library(self):
        bom = json.loads(sbom.document(facts(deps=[RING]), "0" * 64))
        c = bom["components"][3]
        self.assertEqual((c["type"], c["name"], c["version"], c["purl"], c["licenses"]),
                         ("library", "ring", "0.17.14", "pkg:cargo/ring@0.17.14",
                          [{"expression": "Apache-2.0 AND ISC"}]))
        src = [r for r in c["externalReferences"] if r["type"] == "distribution"][0]
        self.assertEqual(src["hashes"], [{"alg": "SHA-256", "content": "a4" * 32}])
        self.assertIn("rust-ring_0.17.14.orig.tar.gz", src["comment"])
        self.assertEqual(bom["dependencies"][0]["dependsOn"][-1], "ring")
        self.assertEqual(bom["components"][:3], json.loads(sbom.document(facts(), "0" * 64))["components"])

    def test_defaults_purl_and_no_references(self):
        c = sbom.dep_component({"name": "p256", "version": "1.0", "license": "MIT"})
        self.assertEqual(c["purl"], "pkg:generic/p256@1.0")
        self.assertNotIn("externalReferences", c)
        self.assertNotIn("cpe", c)

    def test_licenses_label_names_it(self):
        lic = dict(sbom.labels(facts(deps=[RING]), None))["org.opencontainers.image.licenses"]
        self.assertTrue(lic.endswith(" AND (Apache-2.0 AND ISC)"), lic)
        self.assertEqual(dict(sbom.labels(facts(), None))["org.opencontainers.image.licenses"],
                         "(Apache-2.0 OR GPL-2.0-or-later) AND MIT AND MPL-2.0")

    def test_read_the_folder(self):
        self.write("ring.facts", "# comment\n\n" + "".join(f"{k}={v}\n" for k, v in RING.items())
                   + "debian_suite=trixie\nfiles=crypto/fipsmodule/ec/p256.c\n")
        self.write("README", "not a facts file\n")
        self.assertEqual(sbom.read_deps(self.path("deps")), [RING])
        self.assertEqual(sbom.read_deps(self.path("none")), [])
        self.assertEqual(sbom.read_deps(None), [])

    def test_bad_files_refused(self):
        for label, text, why in [
                ("no name", "version=1\nlicense=MIT\n", "needs name="),
                ("no version", "name=x\nlicense=MIT\n", "needs version="),
                ("no license", "name=x\nversion=1\n", "needs license="),
                ("not KEY=VALUE", "name=x\nversion 1\n", ":2: not a KEY=VALUE line"),
                ("name taken", "name=musl\nversion=1\nlicense=MIT\n", "already in the document"),
                ("bad sha256", "name=x\nversion=1\nlicense=MIT\nurl=u\nsha256=12\n", "64 hex"),
                ("sha256 without url", "name=x\nversion=1\nlicense=MIT\nsha256=" + "a" * 64 + "\n", "needs url="),
                ("purl with a space", "name=x\nversion=1\nlicense=MIT\npurl=a b\n", "purl holds a space")]:
            with self.subTest(label):
                shutil.rmtree(self.path("deps"), ignore_errors=True)
                self.write("x.facts", text)
                with self.assertRaisesRegex(sbom.Bad, why):
                    sbom.read_deps(self.path("deps"))
        shutil.rmtree(self.path("deps"))
        self.write("a.facts", "name=x\nversion=1\nlicense=MIT\n")
        self.write("b.facts", "name=x\nversion=2\nlicense=MIT\n")
        with self.assertRaisesRegex(sbom.Bad, "two files name x"):
            sbom.read_deps(self.path("deps"))

    def test_section_grows_with_it(self):
        # The reserved section is the document's length: a dep needs no edit
        # of the C side.
        self.assertIn(f"sbom_json[{len(sbom.document(facts(deps=[RING]), sbom.PLACEHOLDER))}]",
                      sbom.c_source(facts(deps=[RING])))


class Note(unittest.TestCase):
    def test_systemd_fields_syft_reads(self):
        n = json.loads(sbom.note(facts(arch="arm64")))
        self.assertEqual(n, {"type": "generic", "name": "hello", "version": "1.0.0",
                             "architecture": "arm64", "purl": "pkg:generic/hello@1.0.0"})

    def test_short_and_safe_for_ld(self):
        text = sbom.note(facts())
        self.assertLess(len(text), 160)
        for c in "%\n\0'":
            self.assertNotIn(c, text)


class CSource(Tmp):
    def test_compiles_to_the_placeholder_document(self):
        with open(self.path("sbom.c"), "w") as f:
            f.write(sbom.c_source(facts()))
        main = ('#include <stdio.h>\n#include "sbom.h"\n'
                "int main(void) { return fwrite(sbom_json, 1, sbom_json_size, stdout) != sbom_json_size; }\n")
        with open(self.path("main.c"), "w") as f:
            f.write(main)
        r = run("cc", "-I", os.path.join(TOP, "src"), self.path("main.c"), self.path("sbom.c"), "-o", self.path("p"))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = subprocess.run([self.path("p")], capture_output=True).stdout
        self.assertEqual(out, sbom.document(facts(), sbom.PLACEHOLDER))
        self.assertIn(sbom.SECTION, sbom.elf_sections(open(self.path("p"), "rb").read()))

    def test_banner(self):
        self.assertTrue(sbom.c_source(facts()).startswith("/* Automatically generated by scripts/sbom"))


class Labels(Tmp):
    def labels(self, repo):
        return dict(sbom.labels(facts(), repo))

    def git(self, *args):
        r = run("git", "-C", self.tmp, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_without_git(self):
        got = self.labels(self.tmp)
        self.assertEqual(got, {
            "org.opencontainers.image.version": "1.0.0",
            "org.opencontainers.image.licenses": "(Apache-2.0 OR GPL-2.0-or-later) AND MIT AND MPL-2.0",
            "org.opencontainers.image.created": "2026-10-20T19:45:34Z",
        })

    def test_created_is_the_document_timestamp(self):
        bom = json.loads(sbom.document(facts(), "0" * 64))
        self.assertEqual(self.labels(None)["org.opencontainers.image.created"], bom["metadata"]["timestamp"])

    def test_revision_and_source(self):
        self.git("init", "-q")
        with open(self.path("f"), "w") as f:
            f.write("1\n")
        self.git("add", "f")
        self.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
        head = self.git("rev-parse", "HEAD")
        self.assertEqual(self.labels(self.tmp)["org.opencontainers.image.revision"], head)
        self.assertNotIn("org.opencontainers.image.source", self.labels(self.tmp))
        self.git("remote", "add", "origin", "/srv/git/hello")
        self.assertEqual(self.labels(self.tmp)["org.opencontainers.image.source"], "file:///srv/git/hello")
        self.git("remote", "set-url", "origin", "https://git.example/hello.git")
        self.assertEqual(self.labels(self.tmp)["org.opencontainers.image.source"], "https://git.example/hello.git")
        with open(self.path("f"), "w") as f:
            f.write("2\n")
        self.assertEqual(self.labels(self.tmp)["org.opencontainers.image.revision"], head + "-dirty")


class Provenance(Tmp):
    def write(self, text, bundle=b"roots\n"):
        with open(self.path("PROVENANCE"), "w") as f:
            f.write(text)
        with open(self.path("b.crt"), "wb") as f:
            f.write(bundle)
        return self.path("PROVENANCE"), self.path("b.crt")

    def test_fixture(self):
        got = sbom.read_provenance(os.path.join(FIX, "PROVENANCE"), os.path.join(FIX, "bundle.crt"))
        self.assertEqual(got, {"name": "ca-certificates", "version": "20991231~test1", "vendor": "Debian",
                               "sha256": hashlib.sha256(open(os.path.join(FIX, "bundle.crt"), "rb").read()).hexdigest()})

    def test_bundle_changed(self):
        p, b = self.write(open(os.path.join(FIX, "PROVENANCE")).read(), b"other roots\n")
        with self.assertRaisesRegex(sbom.Bad, "does not match the sha256"):
            sbom.read_provenance(p, b)

    def test_malformed(self):
        for label, text in [("no package line", "sha256: " + "0" * 64 + "\n"),
                            ("no sha256", "package: ca-certificates 1 (Debian, x)\n"),
                            ("short sha256", "package: ca-certificates 1 (Debian, x)\nsha256: abc\n"),
                            ("no version", "package: ca-certificates\nsha256: " + "0" * 64 + "\n"),
                            ("empty", "")]:
            with self.subTest(label):
                p, b = self.write(text)
                with self.assertRaises(sbom.Bad):
                    sbom.read_provenance(p, b)

    def test_missing_files(self):
        with self.assertRaisesRegex(sbom.Bad, "cannot read"):
            sbom.read_provenance(self.path("none"), self.path("none"))


class Musl(Tmp):
    def archive(self, members):
        """An ar archive of objects compiled from {name: C source}."""
        objs = []
        for name, src in members.items():
            with open(self.path("m.c"), "w") as f:
                f.write(src)
            obj = self.path(name)
            r = run("cc", "-fdata-sections", "-c", self.path("m.c"), "-o", obj)
            self.assertEqual(r.returncode, 0, r.stderr)
            objs.append(obj)
        lib = self.path("libc.a")
        r = run("ar", "rc", lib, *objs)
        self.assertEqual(r.returncode, 0, r.stderr)
        return lib

    def test_version_from_version_lo(self):
        lib = self.archive({"printf.lo": "int x;\n",
                            "version.lo": 'const char __libc_version[] = "1.2.5";\n'})
        self.assertEqual(sbom.musl_version(lib), "1.2.5")

    def test_long_member_names(self):
        lib = self.archive({"a_member_with_a_long_name.lo": "int y;\n",
                            "version.lo": 'const char __libc_version[] = "1.2.4";\n'})
        self.assertEqual(sbom.musl_version(lib), "1.2.4")

    def test_not_musl(self):
        lib = self.archive({"printf.o": "int x;\n"})
        with self.assertRaisesRegex(sbom.Bad, "not musl"):
            sbom.musl_version(lib)

    def test_no_version_string(self):
        lib = self.archive({"version.lo": "int __libc_version_not;\n"})
        with self.assertRaisesRegex(sbom.Bad, "no musl version"):
            sbom.musl_version(lib)

    def test_not_an_archive(self):
        with open(self.path("libc.a"), "w") as f:
            f.write("not an archive\n")
        with self.assertRaisesRegex(sbom.Bad, "not an ar archive"):
            sbom.musl_version(self.path("libc.a"))

    def test_version_member_not_elf(self):
        with open(self.path("version.lo"), "w") as f:
            f.write("text\n")
        self.assertEqual(run("ar", "rc", self.path("libc.a"), self.path("version.lo")).returncode, 0)
        with self.assertRaisesRegex(sbom.Bad, "not an ELF"):
            sbom.musl_version(self.path("libc.a"))

    def test_libc_of_a_compiler(self):
        fake = os.path.join(FIX, "fake-cc")
        env_cc = f"sh {fake} {self.tmp}/x/libc.a"
        self.assertEqual(sbom.libc_of(env_cc), f"{self.tmp}/x/libc.a")

    def test_compiler_fails_or_takes_no_libc(self):
        for label, cc, why in [("fails", "false", "failed"),
                               ("takes no libc.a", f"sh {os.path.join(FIX, 'fake-cc')}", "took no libc.a"),
                               ("does not exist", "/nonexistent/cc", "cannot run")]:
            with self.subTest(label):
                with self.assertRaisesRegex(sbom.Bad, why):
                    sbom.libc_of(cc)


class Elf(Tmp):
    def test_sections_of_an_object(self):
        self.cc("int x = 1;\n", self.path("o"), "-c")
        self.assertIn(".data", sbom.elf_sections(open(self.path("o"), "rb").read()))

    def test_not_elf_and_truncated(self):
        self.cc("int x = 1;\n", self.path("o"), "-c")
        data = open(self.path("o"), "rb").read()
        for label, blob in [("text", b"hello"), ("empty", b""), ("header only", data[:64]),
                            ("bad class", data[:4] + b"\x07" + data[5:])]:
            with self.subTest(label):
                with self.assertRaises(sbom.Bad):
                    sbom.elf_sections(blob)


class SealVerify(Tmp):
    def build(self, f):
        """A program with the generated section, as the Makefile links hello."""
        with open(self.path("facts.json"), "w") as out:
            json.dump(f, out)
        with open(self.path("sbom.c"), "w") as out:
            out.write(sbom.c_source(f))
        with open(self.path("main.c"), "w") as out:
            out.write('#include <stdio.h>\n#include "sbom.h"\n'
                      "int main(void) { fwrite(sbom_json, 1, sbom_json_size, stdout); return 0; }\n")
        r = run("cc", "-I", os.path.join(TOP, "src"), self.path("main.c"), self.path("sbom.c"), "-o", self.path("p"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def seal(self, *extra):
        return run(sys.executable, SCRIPT, "seal", self.path("facts.json"), self.path("p"), self.path("p.cdx.json"), *extra)

    def verify(self, *extra):
        return run(sys.executable, SCRIPT, "verify", self.path("p"), *extra)

    def test_sealed_digest_is_true_and_printed(self):
        self.build(facts())
        r = self.seal()
        self.assertEqual(r.returncode, 0, r.stderr)
        data = open(self.path("p"), "rb").read()
        off, size = sbom.sbom_section(data, "p")
        doc = open(self.path("p.cdx.json"), "rb").read()
        self.assertEqual(data[off:off + size], doc)
        want = hashlib.sha256(data[:off] + bytes(size) + data[off + size:]).hexdigest()
        self.assertEqual(json.loads(doc)["metadata"]["component"]["hashes"][0]["content"], want)
        self.assertEqual(subprocess.run([self.path("p")], capture_output=True).stdout, doc)
        r = self.verify(self.path("p.cdx.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.access(self.path("p"), os.X_OK))

    def test_sealing_twice_gives_the_same_bytes(self):
        self.build(facts())
        self.assertEqual(self.seal().returncode, 0)
        first = open(self.path("p"), "rb").read()
        self.assertEqual(self.seal().returncode, 0)
        self.assertEqual(open(self.path("p"), "rb").read(), first)

    def test_a_changed_byte_outside_the_section_is_caught(self):
        self.build(facts())
        self.assertEqual(self.seal().returncode, 0)
        data = bytearray(open(self.path("p"), "rb").read())
        off, size = sbom.sbom_section(bytes(data), "p")
        pos = off + size + 1 if off + size + 1 < len(data) else off - 1
        data[pos] ^= 1
        open(self.path("p"), "wb").write(data)
        r = self.verify()
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^sbom: .*names SHA-256 .* has [0-9a-f]{64}\n$")

    def test_another_document_file_is_caught(self):
        self.build(facts())
        self.assertEqual(self.seal().returncode, 0)
        with open(self.path("other.json"), "w") as f:
            f.write("{}\n")
        r = self.verify(self.path("other.json"))
        self.assertEqual((r.returncode, r.stderr.count("\n")), (1, 1), r.stderr)
        self.assertIn("is not the document", r.stderr)

    def test_unsealed_placeholder_is_caught(self):
        self.build(facts())
        r = self.verify()
        self.assertEqual(r.returncode, 1)
        self.assertIn("0" * 64, r.stderr)

    def test_facts_of_another_length_refused(self):
        self.build(facts())
        with open(self.path("facts.json"), "w") as out:
            json.dump(facts(version="1.0.10"), out)
        before = open(self.path("p"), "rb").read()
        r = self.seal()
        self.assertEqual(r.returncode, 1)
        self.assertIn("section holds", r.stderr)
        self.assertEqual(open(self.path("p"), "rb").read(), before)
        self.assertFalse(os.path.exists(self.path("p.cdx.json")))

    def test_map_naming_another_libc_refused(self):
        self.build(facts())
        with open(self.path("map"), "w") as f:
            f.write("/opt/other/libc.a(printf.lo)\n")
        r = self.seal("--map", self.path("map"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("/opt/other/libc.a", r.stderr)
        with open(self.path("map"), "w") as f:
            f.write(f"{facts()['musl']['libc']}(printf.lo)\n")
        self.assertEqual(self.seal("--map", self.path("map")).returncode, 0)

    def test_no_section(self):
        self.cc("int main(void) { return 0; }\n", self.path("p"))
        for r in (self.verify(), run(sys.executable, SCRIPT, "seal", os.path.join(FIX, "facts.json"),
                                     self.path("p"), self.path("p.cdx.json"))):
            self.assertEqual(r.returncode, 1)
            self.assertIn("no .sbom section", r.stderr)


class Cli(Tmp):
    def facts_cmd(self, **over):
        args = {"version": "1.0.0", "arch": "amd64", "epoch": "1792525534",
                "cc": f"sh {os.path.join(FIX, 'fake-cc')} {os.path.join(self.tmp, 'libc.a')}",
                "provenance": os.path.join(FIX, "PROVENANCE"), "bundle": os.path.join(FIX, "bundle.crt"),
                "fetch": os.path.join(FIX, "fetch-facts"), "patches": os.path.join(FIX, "patches")}
        args.update(over)
        cmd = [sys.executable, SCRIPT, "facts"]
        for k, v in args.items():
            cmd += ["--" + k.replace("_", "-"), v]
        return run(*cmd)

    def libc(self):
        with open(self.path("v.c"), "w") as f:
            f.write('const char __libc_version[] = "1.2.3";\n')
        self.assertEqual(run("cc", "-fdata-sections", "-c", self.path("v.c"), "-o", self.path("version.lo")).returncode, 0)
        self.assertEqual(run("ar", "rc", self.path("libc.a"), self.path("version.lo")).returncode, 0)

    def test_facts_from_fixtures(self):
        self.libc()
        r = self.facts_cmd(mbedtls_version="3.6.6")
        self.assertEqual(r.returncode, 0, r.stderr)
        f = json.loads(r.stdout)
        self.assertEqual(f["mbedtls"]["patches"], ["patches/mbedtls-0001-first.patch",
                                                   "patches/mbedtls-0002-second.patch"])
        self.assertEqual((f["musl"]["version"], f["ca"]["version"], f["epoch"], f["version"]),
                         ("1.2.3", "20991231~test1", 1792525534, "1.0.0"))
        self.assertNotIn("deps", f)

    def test_facts_with_deps(self):
        self.libc()
        os.makedirs(self.path("deps"))
        with open(self.path("deps/ring.facts"), "w") as f:
            f.write("".join(f"{k}={v}\n" for k, v in RING.items()))
        r = self.facts_cmd(deps=self.path("deps"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["deps"], [RING])
        with open(self.path("deps/bad.facts"), "w") as f:
            f.write("name=bad\n")
        r = self.facts_cmd(deps=self.path("deps"))
        self.assertEqual((r.returncode, r.stderr.count("\n"), r.stdout), (1, 1, ""))
        self.assertRegex(r.stderr, "^sbom: .*bad.facts: needs version=")

    def test_bad_facts_one_line_each(self):
        self.libc()
        for label, over, why in [
                ("version with a space", {"version": "1 0"}, "is not a version"),
                ("empty version", {"version": ""}, "is not a version"),
                ("epoch not a number", {"epoch": "yesterday"}, "is not a number of seconds"),
                ("empty epoch", {"epoch": ""}, "is not a number of seconds"),
                ("Makefile and fetch script disagree", {"mbedtls_version": "3.6.5"}, "pins 3.6.6"),
                ("fetch script fails", {"fetch": "false"}, "printed no version"),
                ("fetch script missing", {"fetch": "/nonexistent"}, "cannot run"),
                ("no patches folder", {"patches": self.path("none")}, "cannot list"),
                ("compiler fails", {"cc": "false"}, "failed"),
                ("bundle changed", {"bundle": os.path.join(FIX, "PROVENANCE")}, "does not match")]:
            with self.subTest(label):
                r = self.facts_cmd(**over)
                self.assertEqual(r.returncode, 1, label)
                self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
                self.assertRegex(r.stderr, "^sbom: .*" + why)
                self.assertEqual(r.stdout, "")

    def test_not_a_facts_file(self):
        with open(self.path("f.json"), "w") as f:
            f.write('{"version": "1"}')
        for cmd in ("note", "c", "labels"):
            with self.subTest(cmd):
                r = run(sys.executable, SCRIPT, cmd, self.path("f.json"))
                self.assertEqual((r.returncode, r.stderr), (1, f"sbom: {self.path('f.json')} is not a facts file "
                                                               "(scripts/sbom facts makes one)\n"))

    def test_usage(self):
        r = run(sys.executable, SCRIPT)
        self.assertEqual(r.returncode, 2)
        r = run(sys.executable, SCRIPT, "verify", self.path("none"))
        self.assertEqual((r.returncode, r.stderr.count("\n")), (1, 1))


class Tap(unittest.TextTestResult):
    """One TAP line per test."""

    def addSuccess(self, test):
        print(f"ok - sbom: {test.id().split('.', 1)[1]}")

    def addFailure(self, test, err):
        print(f"not ok - sbom: {test.id().split('.', 1)[1]} ({self._exc_info_to_string(err, test).strip().splitlines()[-1]})")
        self.failures.append((test, ""))

    def addError(self, test, err):
        print(f"not ok - sbom: {test.id().split('.', 1)[1]} (error: {self._exc_info_to_string(err, test).strip().splitlines()[-1]})")
        self.errors.append((test, ""))

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.addFailure(subtest, err)


if __name__ == "__main__":
    if sys.argv[1:] == ["--tap"]:
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        result = unittest.TextTestRunner(stream=open(os.devnull, "w"), resultclass=Tap).run(suite)
        sys.exit(0 if result.wasSuccessful() else 1)
    unittest.main()
