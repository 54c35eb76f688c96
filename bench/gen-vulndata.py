#!/usr/bin/env python3
"""Synthetic vulnerability data shaped like the real records, for bench/vulndb.sh.

    gen-vulndata.py SHARED_DATA OUTDIR [CVE5_COUNT] [NVD_COUNT]

(a count of 0 leaves that part out: the two parts can be made by two
processes at once; components.txt comes with the CVE JSON 5 part)

Templates are the real records in SHARED_DATA (../shared/data): the CVE JSON 5
records of cve5/ and cve5/kernel/, the NVD records of nvd/records/. Each
synthetic record is a template with a new CVE id and date, and (for most)
another vendor and product drawn from 20,000 made-up ones, so that the
database has the spread of a real one: a few products with many CVEs, most
with a handful. The mix follows the CVE List: about two thirds of the records
name their product without version data or with one range ("n/a" MITRE-style
records, single-product CNAs), some are the kernel CNA's (4 %, per-branch
ranges), the rest the large multi-range ones.

Writes OUTDIR/cve5.zip (records under cves/YEAR/NNxxx/, as the CVE List's own
zip) and OUTDIR/nvd/page-NNNN.json (NVD API 2.0 pages of 2,000 records), and
OUTDIR/components.txt: 200 "NAME VERSION" lines (real products and made-up
ones present in the data) for matching.
"""
import copy
import json
import os
import random
import re
import sys
import zipfile

rng = random.Random(8520)

# The products the templates name, in descriptions and configurations. In
# synthetic records they become the record's made-up product, so that real
# products keep about as many CVEs as they really have (KEEP_REAL of the
# records keep their real product); otherwise every record made from the
# Dropbear template would be a Dropbear CVE.
REAL_NAMES = re.compile(r'\b(BusyBox|Dropbear SSH|Dropbear|dnsmasq|OpenSSL|OpenSSH|glibc|'
                        r'GNU C Library|the GNU C Library)\b', re.I)
KEEP_REAL = 0.002


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def products(n):
    return [('vendor%05d' % (i // 3), 'product%05d' % i) for i in range(n)]


def pick_product(prods):
    # Zipf-like: low indexes far more often
    i = int(len(prods) * (rng.random() ** 2))
    return prods[min(i, len(prods) - 1)]


def cve5_records(shared, count, prods):
    base = os.path.join(shared, 'cve5')
    tmpl = []
    for name in sorted(os.listdir(base)):
        if name.endswith('.json'):
            tmpl.append(load(os.path.join(base, name)))
    kern = [load(os.path.join(base, 'kernel', n)) for n in sorted(os.listdir(os.path.join(base, 'kernel')))
            if n.endswith('.json')]
    small = [t for t in tmpl if len(json.dumps(t)) < 7000]
    large = [t for t in tmpl if len(json.dumps(t)) >= 7000]
    for i in range(count):
        r = rng.random()
        src = kern if r < 0.04 else small if r < 0.70 else large
        t = src[rng.randrange(len(src))]
        rec = t  # the templates are rewritten in place, one record at a time
        year = 1999 + i * 27 // count
        cid = 'CVE-%d-%d' % (year, 10000 + i)
        meta = rec['cveMetadata']
        meta['cveId'] = cid
        meta['dateUpdated'] = '%d-%02d-%02dT%02d:00:00.000Z' % (
            min(year + 1, 2026), 1 + i % 12, 1 + i % 28, i % 24)
        cna = rec['containers']['cna']
        keep = src is kern or rng.random() < KEEP_REAL
        vendor, product = pick_product(prods)
        if not keep:
            for a in cna.get('affected', []):
                if a.get('product') not in (None, 'n/a'):
                    a['vendor'], a['product'] = vendor, product
                if 'packageName' in a:
                    a['packageName'] = product
            for adp in rec['containers'].get('adp', []):
                for a in adp.get('affected', []):
                    if a.get('product') not in (None, 'n/a'):
                        a['vendor'], a['product'] = vendor, product
                        a['cpes'] = ['cpe:2.3:a:%s:%s:*:*:*:*:*:*:*:*' % (vendor, product)]
        text = t.get('_text')
        if text is None:
            text = t['_text'] = [d.get('value', '') for d in cna.get('descriptions', [])]
        for d, orig in zip(cna.get('descriptions', []), text):
            first = orig.split('. ')[0]
            d['value'] = (first if keep else REAL_NAMES.sub(product, first)) + \
                '. (record %d)' % i
        out = dict(rec)
        out.pop('_text', None)
        yield cid, year, json.dumps(out, separators=(',', ':'))


def nvd_pages(shared, count, prods, outdir):
    base = os.path.join(shared, 'nvd', 'records')
    tmpl = [load(os.path.join(base, n)) for n in sorted(os.listdir(base)) if n.endswith('.json')]
    page, npage = [], 0

    def flush():
        nonlocal page, npage
        doc = {'resultsPerPage': len(page), 'startIndex': npage * 2000, 'totalResults': count,
               'format': 'NVD_CVE', 'version': '2.0', 'timestamp': '2026-11-01T00:00:00.000',
               'vulnerabilities': page}
        with open(os.path.join(outdir, 'page-%04d.json' % npage), 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
        page = []
        npage += 1

    for i in range(count):
        t = tmpl[rng.randrange(len(tmpl))]
        rec = copy.deepcopy(t)
        year = 1999 + i * 27 // count
        rec['id'] = 'CVE-%d-%d' % (year, 500000 + i)
        rec['lastModified'] = '%d-%02d-%02dT00:00:00.000' % (min(year + 1, 2026), 1 + i % 12,
                                                             1 + i % 28)
        if rng.random() >= KEEP_REAL:
            vendor, product = pick_product(prods)
            for d in rec.get('descriptions', []):
                d['value'] = REAL_NAMES.sub(product, d.get('value', ''))
            for cfg in rec.get('configurations', []):
                for node in cfg.get('nodes', []):
                    for m in node.get('cpeMatch', []):
                        if m.get('vulnerable'):
                            p = m['criteria'].split(':')
                            p[3], p[4] = vendor, product
                            m['criteria'] = ':'.join(p)
        page.append({'cve': rec})
        if len(page) == 2000:
            flush()
    if page:
        flush()


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: gen-vulndata.py SHARED_DATA OUTDIR [CVE5_COUNT] [NVD_COUNT]')
    shared, out = sys.argv[1], sys.argv[2]
    n5 = int(sys.argv[3]) if len(sys.argv) > 3 else 300000
    nn = int(sys.argv[4]) if len(sys.argv) > 4 else 250000
    os.makedirs(os.path.join(out, 'nvd'), exist_ok=True)
    prods = products(20000)
    if n5:
        with zipfile.ZipFile(os.path.join(out, 'cve5.zip.tmp'), 'w', zipfile.ZIP_DEFLATED,
                             compresslevel=1) as z:
            for cid, year, text in cve5_records(shared, n5, prods):
                num = int(cid.rsplit('-', 1)[1])
                z.writestr('cves/%d/%dxxx/%s.json' % (year, num // 1000, cid), text)
        os.rename(os.path.join(out, 'cve5.zip.tmp'), os.path.join(out, 'cve5.zip'))
    if nn:
        nvd_pages(shared, nn, prods, os.path.join(out, 'nvd'))
    if not n5:
        return
    # 200 components: the real products in several versions, and made-up ones
    real = [('openssl', '3.0.12'), ('openssl', '1.1.1w'), ('openssl', '1.0.2k'),
            ('busybox', '1.35.0'), ('busybox', '1.36.1'), ('dropbear', '2022.83'),
            ('dnsmasq', '2.89'), ('glibc', '2.36'), ('openssh', '9.2p1'), ('linux', '6.1.76'),
            ('linux', '5.10.200'), ('zlib', '1.2.13'), ('curl', '7.88.1'), ('lighttpd', '1.4.69')]
    lines = ['%s %s' % c for c in real]
    for i in range(200 - len(real)):
        v, p = prods[int(len(prods) * (i / 200.0) ** 2)]
        lines.append('%s %d.%d.%d' % (p, i % 4, i % 7, i % 11))
    with open(os.path.join(out, 'components.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
