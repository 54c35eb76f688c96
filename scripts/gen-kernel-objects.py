#!/usr/bin/env python3
"""Generate data/vuln/kernel-objects.tsv: which Kconfig symbols a Linux source
file or directory needs to be built, read from the kernel's own Makefiles.

Usage:
    apt-get download linux-source-6.1
    dpkg-deb --fsys-tarfile linux-source-6.1_*.deb | tar -xO ./usr/src/linux-source-6.1.tar.xz \
        | xz -dc | tar -x --wildcards '*/Makefile' '*/Kbuild'
    scripts/gen-kernel-objects.py linux-source-6.1 > data/vuln/kernel-objects.tsv

Only the Makefiles (Kbuild files) are needed. The kbuild rules read here
(Documentation/kbuild/makefiles.rst):

    obj-$(CONFIG_X) += foo.o bar/      foo.c and the folder bar/ need X
    obj-y += foo.o                     always built (with its folder)
    foo-y += a.o ../b/c.o  foo-objs    the parts of the composite object foo.o
    foo-$(CONFIG_Y) += d.o             a part that needs Y as well
    lib-$(CONFIG_X), subdir-$(CONFIG_X), core-/drivers-/libs-$(CONFIG_X) (arch)
    include $(FULL_PATH)/sub/Makefile  a folder built as part of this one

Variables are expanded where simple ($(VAR), $(src), $(obj), $(srctree),
$(addprefix), $(addsuffix)); anything else is left out, which only ever
makes a file look *more* often built (a missing condition is no condition),
never less. ifeq/ifdef blocks are ignored for the same reason.

Output, one line per path whose own condition is not "always":
    path<TAB>condition
path is a folder ("net/sched/") or a source file without its extension
("net/sched/sch_taprio"); condition is alternatives separated by "|", each a
conjunction of symbols joined by "+" (without the CONFIG_ prefix). A file is
built when the condition of every folder above it and its own hold (the
matcher, src/vuln/kconfig.c, walks the prefixes). Per-architecture folders
(arch/arm/ ...) need their architecture's symbol.
"""
import os
import re
import sys

ARCH_SYMBOLS = {
    'alpha': 'ALPHA', 'arc': 'ARC', 'arm': 'ARM', 'arm64': 'ARM64', 'csky': 'CSKY',
    'hexagon': 'HEXAGON', 'ia64': 'IA64', 'loongarch': 'LOONGARCH', 'm68k': 'M68K',
    'microblaze': 'MICROBLAZE', 'mips': 'MIPS', 'nios2': 'NIOS2', 'openrisc': 'OPENRISC',
    'parisc': 'PARISC', 'powerpc': 'PPC', 'riscv': 'RISCV', 's390': 'S390', 'sh': 'SUPERH',
    'sparc': 'SPARC', 'um': 'UML', 'x86': 'X86', 'xtensa': 'XTENSA',
}

ALWAYS = frozenset()


def read_lines(path):
    """Logical lines: continuations joined, comments dropped."""
    out, cur = [], ''
    with open(path, encoding='utf-8', errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if not cur and line.lstrip().startswith('#'):
                continue
            if '#' in line:
                line = line.split('#', 1)[0]
            if line.endswith('\\'):
                cur += line[:-1] + ' '
                continue
            cur += line
            if cur.strip():
                out.append(cur)
            cur = ''
    if cur.strip():
        out.append(cur)
    return out


def split_args(s):
    """Split make function arguments at top-level commas."""
    args, depth, cur = [], 0, ''
    for ch in s:
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
        if ch == ',' and depth == 0:
            args.append(cur)
            cur = ''
        else:
            cur += ch
    args.append(cur)
    return args


def expand(text, env, depth=0):
    """Expand $(...) references; unknown ones become empty."""
    if depth > 12 or '$' not in text:
        return text
    out, i = '', 0
    while i < len(text):
        if text[i] == '$' and i + 1 < len(text) and text[i + 1] in '({':
            close = ')' if text[i + 1] == '(' else '}'
            d, j = 1, i + 2
            while j < len(text) and d:
                if text[j] in '({':
                    d += 1
                elif text[j] in ')}':
                    d -= 1
                j += 1
            inner = text[i + 2:j - 1]
            out += call(inner, env, depth)
            i = j
            del close
        else:
            out += text[i]
            i += 1
    return out


def call(inner, env, depth):
    m = re.match(r'(addprefix|addsuffix|patsubst|subst|strip)\s+(.*)$', inner, re.S)
    if m:
        fn, args = m.group(1), [expand(a, env, depth + 1) for a in split_args(m.group(2))]
        if fn == 'strip' and args:
            return ' '.join(args[0].split())
        if len(args) < 2:
            return ''
        if fn == 'addprefix':
            return ' '.join(args[0].strip() + w for w in args[1].split())
        if fn == 'addsuffix':
            return ' '.join(w + args[0].strip() for w in args[1].split())
        if fn == 'subst' and len(args) >= 3:
            return args[2].replace(args[0], args[1])
        if fn == 'patsubst' and len(args) >= 3:
            pat, rep = args[0].strip(), args[1].strip()
            res = []
            for w in args[2].split():
                if '%' in pat:
                    pre, suf = pat.split('%', 1)
                    if w.startswith(pre) and w.endswith(suf) and len(w) >= len(pre) + len(suf):
                        stem = w[len(pre):len(w) - len(suf) if suf else len(w)]
                        res.append(rep.replace('%', stem, 1))
                        continue
                res.append(w)
            return ' '.join(res)
        return ''
    name = inner.strip()
    if name.startswith('CONFIG_'):
        return '$(' + name + ')'  # kept: the condition itself
    return expand(env.get(name, ''), env, depth + 1)


class Tree:
    def __init__(self, root):
        self.root = root
        # path -> set of alternatives (frozensets of symbols); ALWAYS in the set = always
        self.cond = {}
        self.seen_dirs = set()

    def add(self, path, alt):
        self.cond.setdefault(path, set()).add(frozenset(alt))

    def is_dir(self, rel):
        return os.path.isdir(os.path.join(self.root, rel))

    def makefile(self, rel):
        for name in ('Kbuild', 'Makefile'):
            p = os.path.join(self.root, rel, name)
            if os.path.isfile(p):
                return p
        return None


ASSIGN = re.compile(r'^\s*(?:override\s+|export\s+)?([A-Za-z0-9_.$()/-]+)\s*(\+=|:=|::=|\?=|=)\s*(.*)$')


def norm(path):
    path = os.path.normpath(path)
    return '' if path == '.' else path


def parse_dir(tree, rel, env_in=None, included_from=None, guard=0):
    """Read the Makefile of folder rel (relative to the source root)."""
    if guard > 8:
        return
    mk = tree.makefile(rel)
    if not mk:
        return
    key = (rel, included_from)
    if key in tree.seen_dirs:
        return
    tree.seen_dirs.add(key)
    base = included_from if included_from is not None else rel
    env = dict(env_in or {})
    env.update({'src': base, 'obj': base, 'srctree': '.', 'srcdir': base})
    objs = []        # (cond or None, word) from obj-/lib-/subdir- lines
    parts = {}       # composite name -> list of (cond or None, word)
    includes = []
    for line in read_lines(mk):
        s = line.strip()
        if s.startswith(('ifeq', 'ifneq', 'ifdef', 'ifndef', 'else', 'endif', 'define', 'endef')):
            continue
        m = re.match(r'^-?include\s+(.*)$', s)
        if m:
            includes.append(m.group(1))
            continue
        m = ASSIGN.match(line)
        if not m:
            continue
        lhs, op, rhs = m.group(1), m.group(2), m.group(3)
        lm = re.match(r'^([A-Za-z0-9_-]+?)-(y|m|objs|\$\((CONFIG_[A-Za-z0-9_]+)\))$', lhs)
        if lm:
            name, sel, sym = lm.group(1), lm.group(2), lm.group(3)
            cond = sym[7:] if sym else None
            words = expand(rhs, env).split()
            if name in ('obj', 'lib', 'subdir', 'core', 'drivers', 'libs', 'head'):
                objs.extend((cond, w, name) for w in words)
            elif name in ('ccflags', 'asflags', 'ldflags', 'subdir-ccflags', 'hostprogs',
                          'always', 'extra', 'targets', 'clean-files', 'userprogs'):
                continue
            else:
                parts.setdefault(name, []).extend((cond, w, None) for w in words)
            continue
        if '$' in lhs:
            continue
        val = rhs if op != ':=' else expand(rhs, env)
        if op == '+=':
            env[lhs] = env.get(lhs, '') + ' ' + val
        elif op == '?=':
            env.setdefault(lhs, val)
        else:
            env[lhs] = val

    def resolve(word):
        return norm(os.path.join(base, word))

    def add_obj(cond_alt, word, kind, depth=0):
        if depth > 4 or '$' in word:
            return
        if word.endswith('/') or kind == 'subdir' or (
                kind in ('core', 'drivers', 'libs') and tree.is_dir(norm(word))):
            target = norm(word) if kind in ('core', 'drivers', 'libs') else resolve(word)
            if not target or target.startswith('..'):
                return
            tree.add(target + '/', cond_alt)
            if tree.is_dir(target):
                parse_dir(tree, target, guard=guard + 1)
            return
        if not word.endswith('.o') and not word.endswith('.a'):
            return
        stem = word[:-2]
        name = os.path.basename(stem)
        if name in parts and depth < 4:
            for c, w, _ in parts[name]:
                alt = set(cond_alt)
                if c:
                    alt.add(c)
                sub = w
                # parts are relative to this folder too
                add_obj(frozenset(alt), sub, 'part', depth + 1)
            return
        path = resolve(stem)
        if path and not path.startswith('..'):
            tree.add(path, cond_alt)

    for cond, word, kind in objs:
        add_obj(frozenset([cond]) if cond else ALWAYS, word, kind)

    # A Makefile included from this one describes a folder built with it.
    mine = tree.cond.get(rel + '/', {ALWAYS}) if rel else {ALWAYS}
    for inc in includes:
        for target in expand(inc, env).split():
            target = norm(target)
            if not target.endswith('Makefile') or target.startswith('..'):
                continue
            d = os.path.dirname(target)
            if d == rel or not tree.is_dir(d):
                continue
            for alt in mine:
                tree.add(d + '/', alt)
            parse_dir(tree, d, guard=guard + 1)


def simplify(alts):
    """Drop alternatives implied by smaller ones; None when always built."""
    if ALWAYS in alts:
        return None
    keep = [a for a in alts if not any(b < a for b in alts)]
    return sorted(keep, key=lambda a: (len(a), sorted(a)))


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: gen-kernel-objects.py LINUX-SOURCE-DIR')
    root = sys.argv[1]
    tree = Tree(root)
    version = '?'
    top = os.path.join(root, 'Makefile')
    if os.path.isfile(top):
        v = {}
        for line in read_lines(top)[:12]:
            m = re.match(r'^(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\d*)', line)
            if m:
                v[m.group(1)] = m.group(2)
        version = '.'.join(v.get(k, '0') for k in ('VERSION', 'PATCHLEVEL', 'SUBLEVEL'))
    parse_dir(tree, '')
    # the architectures: only the one the configuration names is built
    for arch, sym in ARCH_SYMBOLS.items():
        if tree.is_dir(os.path.join('arch', arch)):
            tree.add('arch/%s/' % arch, frozenset([sym]))
            parse_dir(tree, 'arch/' + arch)
            mk = os.path.join(root, 'arch', arch, 'Makefile')
            if os.path.isfile(mk):
                env = {}
                for line in read_lines(mk):
                    m = ASSIGN.match(line)
                    if not m:
                        continue
                    lm = re.match(r'^(core|drivers|libs)-(y|\$\((CONFIG_[A-Za-z0-9_]+)\))$',
                                  m.group(1))
                    if not lm:
                        continue
                    cond = lm.group(3)[7:] if lm.group(3) else None
                    for w in expand(m.group(3), env).split():
                        d = norm(w)
                        if d.startswith('arch/') and tree.is_dir(d):
                            tree.add(d + '/', frozenset([cond]) if cond else ALWAYS)
                            parse_dir(tree, d)
    # an always-built folder of an architecture still needs that architecture
    # (the prefix walk gives it); an arch Makefile's "always" wins
    rows = []
    for path, alts in tree.cond.items():
        s = simplify(alts)
        if s is None:
            continue
        rows.append((path, '|'.join('+'.join(sorted(a)) for a in s)))
    rows.sort()
    # a file with exactly its folder's condition adds nothing
    folder = dict(rows)
    out = []
    for path, cond in rows:
        if not path.endswith('/'):
            d = os.path.dirname(path) + '/'
            if folder.get(d) == cond:
                continue
        out.append((path, cond))
    sys.stdout.write('# Linux %s: Kconfig symbols a source file or folder needs to be built,\n'
                     '# generated by scripts/gen-kernel-objects.py from the kbuild Makefiles of\n'
                     "# Debian's linux-source-6.1. path<TAB>condition; a folder ends in '/', a\n"
                     '# file has no extension; condition: alternatives "|" of symbols joined "+".\n'
                     % version)
    for path, cond in out:
        sys.stdout.write('%s\t%s\n' % (path, cond))


if __name__ == '__main__':
    main()
