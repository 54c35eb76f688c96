/*
 * Shared includes of the cmocka unit tests (tests/unit/test_<area>.c). The
 * tests use the library's internal headers (src/) as well as the public one.
 */
#ifndef IOTA_TEST_UNIT_H
#define IOTA_TEST_UNIT_H

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#endif
