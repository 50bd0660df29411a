/* What every Check suite here shares: the element count of an array, and a
 * main() that runs one suite and exits non-zero if any test failed. */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Defines main() running the suite that SUITE_FN() builds. */
#define UNIT_MAIN(SUITE_FN)                                            \
	int main(void)                                                 \
	{                                                              \
		SRunner *sr = srunner_create(SUITE_FN());              \
		int failed;                                            \
		srunner_run_all(sr, CK_NORMAL);                        \
		failed = srunner_ntests_failed(sr);                    \
		srunner_free(sr);                                      \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;           \
	}

#endif
