#!/usr/bin/python3
"""Writes vectors.jsonl: reference Parsing Canonical Forms and CRC-64-AVRO
fingerprints for pkg/wire's TestParsingCanonicalForm*, computed by two
independent Avro implementations, never by pkg/wire:

  - Apache Avro Java (Debian package libavro-java, 1.8.2):
    SchemaNormalization.toParsingForm and .parsingFingerprint64, what Java's
    BinaryMessageEncoder puts in single-object encoding (ParsingForm.java);
  - Apache Avro Python (Debian package python3-avro, 1.11.1):
    avro.schema.parse(text).canonical_form, fingerprinted here with the
    specification's CRC-64-AVRO algorithm (that version has no fingerprint
    function).

The vectors are the specification test data of the Apache Avro repository
(share/test/data/schema-tests.txt, cases 000-033, with their expected
canonical form and fingerprint), a few more of ours (logical types,
namespaces, references), and every published schema version under
schemas/. Regenerate after publishing a schema version (the Go test says
when), from this directory:

    apt-get install python3-avro libavro-java default-jdk-headless
    /usr/bin/python3 generate.py > vectors.jsonl
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

import avro
import avro.errors
import avro.schema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "schemas"))
JARS = ["avro", "jackson-core-asl", "jackson-mapper-asl", "slf4j-api", "slf4j-nop"]

# Apache Avro share/test/data/schema-tests.txt: (input, canonical form,
# fingerprint as Java's signed long, or None where the file gives none).
AVRO_SPEC_TESTS = [
    ('"null"', '"null"', 7195948357588979594),
    ('{"type":"null"}', '"null"', None),
    ('"boolean"', '"boolean"', -6970731678124411036),
    ('{"type":"boolean"}', '"boolean"', None),
    ('"int"', '"int"', 8247732601305521295),
    ('{"type":"int"}', '"int"', None),
    ('"long"', '"long"', -3434872931120570953),
    ('{"type":"long"}', '"long"', None),
    ('"float"', '"float"', 5583340709985441680),
    ('{"type":"float"}', '"float"', None),
    ('"double"', '"double"', -8181574048448539266),
    ('{"type":"double"}', '"double"', None),
    ('"bytes"', '"bytes"', 5746618253357095269),
    ('{"type":"bytes"}', '"bytes"', None),
    ('"string"', '"string"', -8142146995180207161),
    ('{"type":"string"}', '"string"', None),
    ('[  ]', '[]', -1241056759729112623),
    ('[ "int"  ]', '["int"]', -5232228896498058493),
    ('[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090),
    ('{"fields":[], "type":"record", "name":"foo"}',
     '{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
    ('{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
     '{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771),
    ('{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}',
     '{"name":"a.b.foo","type":"record","fields":[]}', -4616218487480524110),
    ('{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}',
     '{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
    ('{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}',
     '{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
    ('{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}',
     '{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
    ('{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}',
     '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', 7843277075252814651),
    ('{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"},\n'
     '            {"order":"descending","name":"f2","doc":"Hello","type":"int"}],\n'
     '  "type":"record", "name":"foo"\n}',
     '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
     -4860222112080293046),
    ('{"type":"enum", "name":"foo", "symbols":["A1"]}',
     '{"name":"foo","type":"enum","symbols":["A1"]}', -6342190197741309591),
    ('{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}',
     '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245),
    ('{"name":"foo","type":"fixed","size":15}',
     '{"name":"foo","type":"fixed","size":15}', 1756455273707447556),
    ('{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}',
     '{"name":"x.y.z.foo","type":"fixed","size":32}', -3064184465700546786),
    ('{ "items":{"type":"null"}, "type":"array"}',
     '{"type":"array","items":"null"}', -589620603366471059),
    ('{ "values":"string", "type":"map"}',
     '{"type":"map","values":"string"}', -8732877298790414990),
    ('  {"name":"PigValue","type":"record",\n'
     '   "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
     '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
     -1759257747318642341),
]

# Ours: what the published schemas use (logical types on primitives, named
# types in namespaces, defaults, docs) and what the form must get right
# about names (inherited namespaces, dotted names, references).
OURS = [
    '{"type":"string","logicalType":"uuid"}',
    '{"type":"long","logicalType":"timestamp-micros"}',
    '{"type":"int","logicalType":"date"}',
    '{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}',
    '{"type":"fixed","name":"Money","namespace":"x","size":8,"logicalType":"decimal","precision":12,"scale":2}',
    '["null",{"type":"long","logicalType":"timestamp-millis"}]',
    '{"type":"array","items":{"type":"string","logicalType":"uuid"},"default":[]}',
    '{"type":"map","values":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}}',
    '{"type":"record","name":"R","namespace":"a.b","doc":"caf\\u00e9 \\"quoted\\"",'
    '"fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"X"},"default":"Y"},'
    '{"name":"again","type":"E"},{"name":"full","type":"a.b.E"},'
    '{"name":"inner","type":{"type":"record","name":"c.Inner","fields":['
    '{"name":"f","type":{"type":"fixed","name":"F","size":16}},{"name":"g","type":"F"},{"name":"h","type":"a.b.E"}]}},'
    '{"name":"other","type":{"type":"record","name":"O","namespace":"","fields":[{"name":"self","type":["null","O"],"default":null}]}},'
    '{"name":"m","type":{"type":"map","values":"c.Inner"},"default":{}}]}',
    '{"type":"record","name":"Top","fields":[{"name":"n","type":{"type":"enum","name":"N","namespace":"p.q","symbols":["Z"]}},'
    '{"name":"r","type":"p.q.N"}]}',
]


def crc64_avro(data):
    """The specification's 64-bit Rabin fingerprint (CRC-64-AVRO)."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for b in data:
        fp = (fp >> 8) ^ table[(fp ^ b) & 0xFF]
    return fp


def java(texts):
    """Java's fingerprint and form of each text."""
    with tempfile.TemporaryDirectory() as tmp:
        cp = ":".join(f"/usr/share/java/{j}.jar" for j in JARS)
        subprocess.run(["javac", "-nowarn", "-d", tmp, "-cp", cp, os.path.join(HERE, "ParsingForm.java")],
                       check=True)
        out = subprocess.run(["java", "-cp", cp + ":" + tmp, "ParsingForm"], check=True, capture_output=True,
                             input="".join(json.dumps(t) + "\n" for t in texts).encode()).stdout.decode()
    rows = [line.split("\t", 1) for line in out.splitlines()]
    assert len(rows) == len(texts), (len(rows), len(texts))
    return [(int(fp, 16), form) for fp, form in rows]


def python(text):
    form = avro.schema.parse(text).canonical_form
    return crc64_avro(form.encode()), form


def main():
    cases = []
    for i, (text, canonical, fp) in enumerate(AVRO_SPEC_TESTS):
        cases.append({"name": f"avro schema-tests.txt {i:03d}", "input": text, "avro_canonical": canonical,
                      "avro_fingerprint": None if fp is None else f"{fp & 0xFFFFFFFFFFFFFFFF:016x}"})
    for i, text in enumerate(OURS):
        cases.append({"name": f"ours {i:02d}", "input": text})
    for path in sorted(glob.glob(os.path.join(SCHEMAS, "*", "*.avsc"))):
        with open(path, encoding="utf-8") as f:
            cases.append({"name": "schemas/" + os.path.relpath(path, SCHEMAS), "input": f.read(), "published": True})
    for case, (jfp, jform) in zip(cases, java([c["input"] for c in cases])):
        case["java_canonical"], case["java_fingerprint"] = jform, f"{jfp:016x}"
        try:
            pfp, pform = python(case["input"])
            case["python_canonical"], case["python_fingerprint"] = pform, f"{pfp:016x}"
        except avro.errors.SchemaParseException as e:  # Java's parser is the one producers use
            case["python_error"] = str(e).splitlines()[-1]
        if "avro_canonical" in case:  # the tools agree with the Avro repository
            assert jform == case["avro_canonical"], case
            assert case["avro_fingerprint"] in (None, case["java_fingerprint"]), case
    out = sys.stdout
    out.write("# Generated by generate.py in this directory (see there) with Apache Avro Java 1.8.2\n")
    out.write(f"# (Debian libavro-java) and Apache Avro Python {avro.__version__} (Debian python3-avro).\n")
    out.write("# One JSON object a line. Do not edit: regenerate.\n")
    for case in cases:
        out.write(json.dumps(case, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
