#!/usr/bin/env python3
"""Generates the six typed shared-array classes from SharedXArray.java.tmpl.

    python3 java/src/template/generate.py           # rewrite the generated files
    python3 java/src/template/generate.py --check   # exit 1 if they differ from the template

Template syntax: $Name$ placeholders, and lines '#if[flag]' ... '#end[flag]' keeping the lines
between them only for types that have the flag.
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "main" / "java" / "io" / "shmarray"

TYPES = [
    # Type, type, DTYPE, bytes, numpy, flags
    ("Byte", "byte", "BYTE", 1, "int8", {"byteFill"}),
    ("Short", "short", "SHORT", 2, "int16", {"typedBuffer"}),
    ("Int", "int", "INT", 4, "int32", {"typedBuffer", "atomic", "intAdd"}),
    ("Long", "long", "LONG", 8, "int64", {"typedBuffer", "atomic", "intAdd"}),
    ("Float", "float", "FLOAT", 4, "float32", {"typedBuffer", "atomic", "floatAdd"}),
    ("Double", "double", "DOUBLE", 8, "float64", {"typedBuffer", "atomic", "floatAdd"}),
]


def render(template: str, t) -> str:
    Type, type_, dtype, size, numpy, flags = t
    flags = set(flags)
    float_like = "floatAdd" in flags
    values = {
        "Type": Type,
        "type": type_,
        "DTYPE": dtype,
        "BYTES": str(size),
        "numpy": numpy,
        "atomicNote": ("Floating-point atomics compare bit patterns (as {@code "
                       + ("Double.doubleToRawLongBits" if type_ == "double" else "Float.floatToRawIntBits")
                       + "}), so {@code -0.0} and {@code 0.0} differ and a NaN matches only its own bits.")
        if float_like else "",
        "Carrier": {"int": "Int", "float": "Int", "long": "Long", "double": "Long"}.get(type_, ""),
        "carrier": {"int": "int", "float": "int", "long": "long", "double": "long"}.get(type_, ""),
        "toBits": {"float": "Float.floatToRawIntBits", "double": "Double.doubleToRawLongBits"}.get(type_, ""),
        "fromBits": {"float": "Float.intBitsToFloat", "double": "Double.longBitsToDouble"}.get(type_, ""),
        "casNote": " (bitwise comparison)" if float_like else "",
        "addNote": " (a compare-and-set loop)" if float_like else "",
    }
    out, stack = [], []
    for line in template.splitlines():
        m = re.fullmatch(r"#(if|end)\[(\w+)\]", line.strip())
        if m:
            if m.group(1) == "if":
                stack.append(m.group(2))
            else:
                assert stack and stack[-1] == m.group(2), f"unbalanced #end[{m.group(2)}]"
                stack.pop()
            continue
        if all(f in flags for f in stack):
            out.append(re.sub(r"\$(\w+)\$", lambda mm: values[mm.group(1)], line))
    assert not stack, f"unclosed #if{stack}"
    return "\n".join(out) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    template = (HERE / "SharedXArray.java.tmpl").read_text()
    stale = []
    for t in TYPES:
        path = OUT / f"Shared{t[0]}Array.java"
        text = render(template, t)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        print("generated sources differ from the template; run java/src/template/generate.py:\n  "
              + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
