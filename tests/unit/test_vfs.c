/* Unit tests: the virtual file tree (src/core/vfs.c): adding members,
 * duplicates, hostile names, the file-count limit, origin strings, content
 * and accounting. */
#include <string.h>

#include "core/scan.h"
#include "core/unpacker.h"
#include "unit.h"
#include "util/alloc.h"

static int no_probe(const uint8_t *h, size_t l, uint64_t t)
{
	(void)h;
	(void)l;
	(void)t;
	return 0;
}

static const iota_unpacker fake_sqfs = {.name = "squashfs", .probe = no_probe};
static const iota_unpacker fake_gzip = {.name = "gzip", .probe = no_probe};

static iota_scan *new_scan(uint64_t max_files)
{
	iota_options opt;
	iota_options_init(&opt);
	if (max_files)
		opt.limits.max_files = max_files;
	iota_scan *s = NULL;
	assert_int_equal(iota_scan_open(&s, &opt), IOTA_OK);
	return s;
}

static size_t count_findings(const iota_scan *s, const char *check)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfindings; i++)
		if (strcmp(s->findings[i].check, check) == 0)
			n++;
	return n;
}

static iota_node *add(iota_scan *s, iota_node *c, const char *path, iota_node_kind k)
{
	return iota_vfs_add(s, c, path, strlen(path), k);
}

static void origin_is(const iota_node *n, const char *want)
{
	char buf[512];
	assert_true(iota_node_origin(n, buf, sizeof buf) >= 0);
	assert_string_equal(buf, want);
}

static void test_origin_chain(void **state)
{
	(void)state;
	iota_scan *s = new_scan(0);
	iota_node *root = iota_vfs_root(s, "router.bin", IOTA_NODE_FILE);
	iota_node *sq = iota_vfs_container(s, root, &fake_sqfs, 0x170000, 1);
	assert_non_null(sq);
	iota_node *db = add(s, sq, "usr/sbin/dropbear", IOTA_NODE_FILE);
	assert_non_null(db);
	assert_ptr_equal(db->container, sq);
	origin_is(db, "router.bin @0x170000 squashfs:/usr/sbin/dropbear");
	origin_is(sq, "router.bin @0x170000 squashfs:/");
	origin_is(root, "router.bin");

	char inner[256];
	assert_int_equal(iota_node_inner_path(db, inner, sizeof inner), 17);
	assert_string_equal(inner, "usr/sbin/dropbear");
	assert_int_equal(iota_node_inner_path(sq, inner, sizeof inner), 0);
	assert_string_equal(inner, "");
	assert_int_equal(iota_node_inner_path(db, inner, 8), -1);
	assert_int_equal(iota_node_origin(db, inner, 8), -1);

	/* a container inside a member */
	iota_node *gz = iota_vfs_container(s, db, &fake_gzip, 0, 2);
	iota_node *x = add(s, gz, "x", IOTA_NODE_FILE);
	origin_is(x, "router.bin @0x170000 squashfs:/usr/sbin/dropbear @0x0 gzip:/x");
	assert_ptr_equal(x->container, gz);

	/* intermediate directories were made, marked implicit */
	iota_node *usr = add(s, sq, "usr", IOTA_NODE_DIR);
	assert_ptr_equal(usr, db->parent->parent);
	assert_int_equal(usr->kind, IOTA_NODE_DIR);
	assert_false(usr->flags & IOTA_NF_IMPLICIT); /* listed now */
	assert_true(db->parent->flags & IOTA_NF_IMPLICIT);
	assert_int_equal(atomic_load(&sq->members), 1);
	assert_int_equal(s->nfindings, 0);
	iota_scan_free(s);
}

static void test_directory_root(void **state)
{
	(void)state;
	iota_scan *s = new_scan(0);
	iota_node *root = iota_vfs_root(s, "rootfs", IOTA_NODE_CONTAINER);
	root->fmt = iota_unpacker_find("dir");
	assert_non_null(root->fmt);
	iota_node *f = add(s, root, "etc/passwd", IOTA_NODE_FILE);
	origin_is(f, "rootfs:/etc/passwd");
	origin_is(root, "rootfs:/");
	iota_scan_free(s);
}

static void test_duplicates(void **state)
{
	(void)state;
	iota_scan *s = new_scan(0);
	iota_node *root = iota_vfs_root(s, "a.tar", IOTA_NODE_FILE);
	iota_node *c = iota_vfs_container(s, root, &fake_gzip, 0, 1);
	iota_node *f1 = add(s, c, "etc/passwd", IOTA_NODE_FILE);
	iota_node_set_blob(f1, iota_blob_copy("one", 3));
	iota_node *f2 = add(s, c, "etc/passwd", IOTA_NODE_FILE);
	/* the later one is kept, in the same node, with its old content dropped */
	assert_ptr_equal(f1, f2);
	assert_null(f2->blob);
	assert_int_equal(count_findings(s, "unpack.duplicate"), 1);
	assert_int_equal(atomic_load(&c->members), 1);

	/* a directory listed again is not a duplicate */
	assert_non_null(add(s, c, "etc", IOTA_NODE_DIR));
	assert_non_null(add(s, c, "etc/", IOTA_NODE_DIR));
	assert_int_equal(count_findings(s, "unpack.duplicate"), 1);

	/* a file replaced by a symlink */
	iota_node *l = add(s, c, "etc/passwd", IOTA_NODE_SYMLINK);
	assert_int_equal(l->kind, IOTA_NODE_SYMLINK);
	assert_int_equal(count_findings(s, "unpack.duplicate"), 2);

	/* a member below a file: the file becomes a directory */
	iota_node *g = add(s, c, "etc/passwd/inner", IOTA_NODE_FILE);
	assert_non_null(g);
	assert_int_equal(g->parent->kind, IOTA_NODE_DIR);
	assert_int_equal(count_findings(s, "unpack.duplicate"), 3);

	/* once visited (streamed), a second copy is skipped */
	iota_node *v = add(s, c, "bin/sh", IOTA_NODE_FILE);
	atomic_fetch_or(&v->flags, IOTA_NF_VISITED);
	assert_null(add(s, c, "bin/sh", IOTA_NODE_FILE));
	assert_int_equal(count_findings(s, "unpack.duplicate"), 4);
	iota_scan_free(s);
}

static void test_hostile_names(void **state)
{
	(void)state;
	iota_scan *s = new_scan(0);
	iota_node *root = iota_vfs_root(s, "evil.tar", IOTA_NODE_FILE);
	iota_node *c = iota_vfs_container(s, root, &fake_gzip, 0, 1);

	iota_node *n = add(s, c, "../../etc/passwd", IOTA_NODE_FILE);
	assert_non_null(n);
	origin_is(n, "evil.tar @0x0 gzip:/etc/passwd");
	assert_int_equal(count_findings(s, "unpack.path"), 1);

	n = add(s, c, "/abs/name", IOTA_NODE_FILE);
	origin_is(n, "evil.tar @0x0 gzip:/abs/name");

	/* a NUL ends the name */
	n = iota_vfs_add(s, c, "nul\0/../../x", 12, IOTA_NODE_FILE);
	origin_is(n, "evil.tar @0x0 gzip:/nul");

	/* the empty name is the container itself for a directory, refused otherwise */
	assert_ptr_equal(add(s, c, "", IOTA_NODE_DIR), c);
	assert_ptr_equal(add(s, c, "./", IOTA_NODE_DIR), c);
	size_t before = count_findings(s, "unpack.path");
	assert_null(add(s, c, "", IOTA_NODE_FILE));
	assert_null(add(s, c, "..", IOTA_NODE_FILE));
	assert_true(count_findings(s, "unpack.path") >= before + 2);

	/* too long a path: refused with a finding */
	static char longname[IOTA_MAX_PATH + 100];
	memset(longname, 'a', sizeof longname - 1);
	for (size_t i = 100; i < sizeof longname - 1; i += 100)
		longname[i] = '/';
	before = count_findings(s, "unpack.path");
	assert_null(iota_vfs_add(s, c, longname, sizeof longname - 1, IOTA_NODE_FILE));
	assert_int_equal(count_findings(s, "unpack.path"), before + 1);

	/* one component longer than a name can be is cut, not refused */
	static char longcomp[600];
	memset(longcomp, 'b', sizeof longcomp - 1);
	n = iota_vfs_add(s, c, longcomp, sizeof longcomp - 1, IOTA_NODE_FILE);
	assert_non_null(n);
	assert_int_equal(strlen(n->name), IOTA_MAX_NAME);

	iota_node_set_link(s, n, "../../../../etc", 15);
	assert_string_equal(n->link, "../../../../etc");
	iota_node *h = add(s, c, "hard", IOTA_NODE_HARDLINK);
	iota_node_set_hardlink(s, h, "/../etc/./passwd", 16);
	assert_string_equal(h->link, "etc/passwd");
	iota_scan_free(s);
}

static void test_file_limit(void **state)
{
	(void)state;
	iota_scan *s = new_scan(10);
	iota_node *root = iota_vfs_root(s, "many.tar", IOTA_NODE_FILE);
	iota_node *c = iota_vfs_container(s, root, &fake_gzip, 0, 1);
	int added = 0;
	char name[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "f%d", i);
		if (!add(s, c, name, IOTA_NODE_FILE))
			break;
		added++;
	}
	/* the root and the container count as nodes too */
	assert_int_equal(added, 8);
	assert_int_equal(atomic_load(&s->nnodes), 10);
	assert_int_equal(count_findings(s, "unpack.limit.files"), 1);
	assert_true(iota_scan_should_stop(s));
	/* existing nodes can still be found */
	assert_non_null(add(s, c, "f3", IOTA_NODE_DIR));
	assert_null(iota_vfs_container(s, root, &fake_sqfs, 0x100, 1));
	/* reported once */
	assert_null(add(s, c, "more/and/more", IOTA_NODE_FILE));
	assert_int_equal(count_findings(s, "unpack.limit.files"), 1);
	iota_scan_free(s);
}

static void test_sort(void **state)
{
	(void)state;
	iota_scan *s = new_scan(0);
	iota_node *root = iota_vfs_root(s, "img", IOTA_NODE_FILE);
	iota_vfs_container(s, root, &fake_sqfs, 0x20000, 1);
	iota_vfs_container(s, root, &fake_gzip, 0x100, 1);
	iota_node *c = iota_vfs_container(s, root, &fake_gzip, 0x0, 1);
	add(s, c, "zeta", IOTA_NODE_FILE);
	add(s, c, "alpha", IOTA_NODE_FILE);
	add(s, c, "Mid", IOTA_NODE_FILE);
	iota_vfs_sort(root);
	/* containers by offset, members by name (bytes) */
	assert_true(root->first_child->offset == 0x0);
	assert_true(root->first_child->next_sibling->offset == 0x100);
	assert_true(root->first_child->next_sibling->next_sibling->offset == 0x20000);
	assert_string_equal(c->first_child->name, "Mid");
	assert_string_equal(c->first_child->next_sibling->name, "alpha");
	assert_string_equal(c->first_child->next_sibling->next_sibling->name, "zeta");
	iota_scan_free(s);
}

static void test_content_and_accounting(void **state)
{
	(void)state;
	iota_options opt;
	iota_options_init(&opt);
	opt.limits.max_total_bytes = 100;
	iota_scan *s = NULL;
	assert_int_equal(iota_scan_open(&s, &opt), IOTA_OK);
	iota_node *root = iota_vfs_root(s, "img", IOTA_NODE_FILE);
	iota_node *c = iota_vfs_container(s, root, &fake_gzip, 0, 1);
	assert_true(iota_scan_file_budget(s) == 100);

	iota_node *a = add(s, c, "a", IOTA_NODE_FILE);
	char bytes[80] = {0};
	iota_node_set_blob(a, iota_blob_copy(bytes, sizeof bytes));
	assert_int_equal(a->size, 80);
	iota_blob *b = NULL;
	assert_int_equal(iota_node_content(s, a, &b), IOTA_OK);
	assert_non_null(b);
	assert_int_equal(b->len, 80);
	iota_blob_unref(b);
	/* counted once per node */
	assert_int_equal(iota_node_content(s, a, &b), IOTA_OK);
	iota_blob_unref(b);
	assert_int_equal(atomic_load(&s->produced), 80);
	assert_true(iota_scan_file_budget(s) == 20);

	/* the next file does not fit: LIMIT, a finding, the node marked truncated */
	iota_node *n2 = add(s, c, "b", IOTA_NODE_FILE);
	iota_node_set_blob(n2, iota_blob_copy(bytes, 30));
	assert_int_equal(iota_node_content(s, n2, &b), IOTA_LIMIT);
	assert_null(b);
	assert_true(n2->flags & IOTA_NF_TRUNCATED);
	assert_int_equal(count_findings(s, "unpack.limit.bytes"), 1);
	assert_int_equal(atomic_load(&s->produced), 80);

	/* borrowed bytes (the input itself) are not produced by unpacking */
	static const char input[500];
	iota_node *n3 = add(s, c, "c", IOTA_NODE_FILE);
	iota_node_set_blob(n3, iota_blob_borrow(input, sizeof input));
	assert_int_equal(iota_node_content(s, n3, &b), IOTA_OK);
	iota_blob_unref(b);

	/* no blob and no loader: nothing to read */
	iota_node *n4 = add(s, c, "d", IOTA_NODE_FILE);
	assert_int_equal(iota_node_content(s, n4, &b), IOTA_CORRUPT);
	atomic_fetch_or(&n4->flags, IOTA_NF_VISITED);
	assert_int_equal(iota_node_content(s, n4, &b), IOTA_WARN);
	iota_scan_free(s);
}

static void test_limits_once(void **state)
{
	(void)state;
	iota_scan *s = new_scan(0);
	iota_node *root = iota_vfs_root(s, "img", IOTA_NODE_FILE);
	/* global limits are reported once, per-place ones every time */
	assert_int_equal(iota_scan_limit(s, "bytes", root, "x"), IOTA_LIMIT);
	assert_int_equal(iota_scan_limit(s, "bytes", root, "x"), IOTA_LIMIT);
	assert_int_equal(iota_scan_limit(s, "depth", root, "x"), IOTA_LIMIT);
	assert_int_equal(iota_scan_limit(s, "depth", root, "x"), IOTA_LIMIT);
	assert_int_equal(count_findings(s, "unpack.limit.bytes"), 1);
	assert_int_equal(count_findings(s, "unpack.limit.depth"), 2);
	assert_int_equal(iota_scan_fail(s, IOTA_FATAL, "first %d", 1), IOTA_FATAL);
	iota_scan_fail(s, IOTA_FATAL, "second");
	assert_string_equal(iota_scan_error(s), "first 1");
	assert_true(iota_scan_should_stop(s));
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_origin_chain),
	    cmocka_unit_test(test_directory_root),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_hostile_names),
	    cmocka_unit_test(test_file_limit),
	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_content_and_accounting),
	    cmocka_unit_test(test_limits_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
