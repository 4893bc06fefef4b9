/* SPDX-License-Identifier: MIT */
/* The module-loading probe and the RTC reader. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

Test(probe_kernel, errno_verdicts)
{
    char *disabled = probe_test_fixture("guest");
    char *enabled = probe_test_fixture("modules-enabled");

    cr_assert_eq(cdoc_module_loading_from_errno(enabled, ENOSYS),
                 CDOC_MODULES_NOT_BUILT);
    cr_assert_eq(cdoc_module_loading_from_errno(enabled, EBADF),
                 CDOC_MODULES_ALLOWED);
    cr_assert_eq(cdoc_module_loading_from_errno(disabled, EPERM),
                 CDOC_MODULES_DISABLED);
    cr_assert_eq(cdoc_module_loading_from_errno(enabled, EPERM),
                 CDOC_MODULES_UNKNOWN, "EPERM without modules_disabled "
                 "means no privilege to tell");
    cr_assert_eq(cdoc_module_loading_from_errno("/nonexistent-root", EPERM),
                 CDOC_MODULES_UNKNOWN);
    cr_assert_eq(cdoc_module_loading_from_errno(disabled, EINVAL),
                 CDOC_MODULES_UNKNOWN);
    free(disabled);
    free(enabled);
}

Test(probe_kernel, live_probe_consistent)
{
    int seen = -1;
    enum cdoc_module_loading verdict = cdoc_probe_module_loading(&seen);

    cr_assert_neq(seen, -1);
    cr_assert_eq(verdict, cdoc_module_loading_from_errno("/", seen),
                 "errno %d (%s) gave verdict %d", seen, strerror(seen),
                 (int)verdict);
    cr_assert_eq(cdoc_probe_module_loading(NULL), verdict);
}

Test(probe_kernel, rtc_seconds)
{
    char *root = probe_test_fixture("guest");
    struct cdoc_err err = {{0}};
    double seconds = 0;

    cr_assert_eq(cdoc_rtc_seconds(root, &seconds, &err), 0, "%s", err.msg);
    cr_assert_eq(seconds, 1764861000.0);
    free(root);
}

Test(probe_kernel, rtc_missing_names_path)
{
    struct cdoc_err err = {{0}};
    double seconds;

    cr_assert_eq(cdoc_rtc_seconds("/nonexistent-root", &seconds, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/sys/class/rtc/rtc0"),
              "got: %s", err.msg);
}

Test(probe_kernel, rtc_invalid_value_named)
{
    static const char *const values[] = {"soon\n", "-5\n", "12x\n", "\n"};
    char *root = probe_test_tmpdir();
    struct cdoc_err err;
    double seconds;

    for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
        probe_test_write_text(root, "sys/class/rtc/rtc0/since_epoch",
                              values[i]);
        cr_assert_eq(cdoc_rtc_seconds(root, &seconds, &err), -1,
                     "accepted '%s'", values[i]);
        cr_assert(strstr(err.msg, "since_epoch"), "got: %s", err.msg);
    }
    probe_test_remove_tree(root);
    free(root);
}
