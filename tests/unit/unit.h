/* What every Check suite here shares: ARRAY_SIZE and ascii_lower (the
 * code's own, src/util.h), and a main() that runs one suite and exits
 * non-zero if any test failed. */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdlib.h>

#include "util.h"

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
