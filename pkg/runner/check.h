/* SPDX-License-Identifier: MIT */
/*
 * The API a check uses inside its worker process. A check is a Criterion
 * test declared with CDOC_CHECK; it ends by returning (passed) or by one of
 * cdoc_check_fail, cdoc_check_error or cdoc_check_skip, which do not return.
 *
 * What a check records beyond Criterion's own verdict (the error verdict,
 * multi-line details, captured output, properties) goes to a record file in
 * the run directory that the runner reads when the worker ends.
 */
#ifndef CDOC_RUNNER_CHECK_H
#define CDOC_RUNNER_CHECK_H

#include "profile/profile.h"

#include <criterion/criterion.h>
#include <stddef.h>

/* The environment variable that carries the run directory to workers. */
#define CDOC_RUN_DIR_ENV "CAPSEM_DOCTOR_RUN_DIR"

/* The environment variable that carries --root to workers. */
#define CDOC_ROOT_ENV "CAPSEM_DOCTOR_ROOT"

/* Default time limit of a check, in seconds; --timeout overrides it. */
#define CDOC_DEFAULT_TIMEOUT 10.0

/*
 * Declare a check: suite is the short suite name ("sandbox"), name the
 * check's name ("test_no_ipv6"), desc what it verifies. Further Criterion
 * fields may follow, such as .timeout = 30.
 */
#define CDOC_CHECK(suite, name, desc, ...) \
    Test(suite, name, .description = desc, ##__VA_ARGS__)

/*
 * A check that belongs to a layer of a stack, such as the network's
 * plumbing, proxy, TLS, HTTP, CA trust, policy and throughput. The runner
 * runs a suite's layers one after another, lowest first, and reports the
 * checks of a layer as not run, naming the failed check, when any selected
 * check of a lower layer of the same suite failed or errored: one root
 * cause instead of a wall of failures above it. layer counts from 1;
 * layer_name ("plumbing") appears in reports.
 */
struct cdoc_layer_tag {
    const char *suite;
    const char *check;
    int layer;
    const char *layer_name;
};

#define CDOC_LAYERED_CHECK(suite, name, layer, layer_name, desc, ...)      \
    static const struct cdoc_layer_tag cdoc_layer_##suite##_##name         \
        __attribute__((used, section("cdoc_layers"),                       \
                       aligned(__alignof__(struct cdoc_layer_tag)))) = {   \
            #suite, #name, layer, layer_name};                             \
    CDOC_CHECK(suite, name, desc, ##__VA_ARGS__)

/* The profile in force, loaded from the run directory on first use. A
 * profile that cannot be loaded ends the check with an error. */
const struct cdoc_profile *cdoc_check_profile(void);

/* The root the probes read under: "/" unless --root named a test tree. */
const char *cdoc_check_root(void);

/* The sandbox breaks its promise. The message names the fault. */
__attribute__((noreturn, format(printf, 1, 2)))
void cdoc_check_fail(const char *fmt, ...);

/* The doctor could not decide (tool missing, unreadable input). */
__attribute__((noreturn, format(printf, 1, 2)))
void cdoc_check_error(const char *fmt, ...);

/* Not applicable here; the message is the reason. */
__attribute__((noreturn, format(printf, 1, 2)))
void cdoc_check_skip(const char *fmt, ...);

/* Add a line to the detail text shown under a failure or error. */
__attribute__((format(printf, 1, 2)))
void cdoc_check_detail(const char *fmt, ...);

/* Attach bytes a command printed; they go to JUnit system-out. */
void cdoc_check_output(const char *label, const void *bytes, size_t len);

/* Record a named value in the results (JUnit property, JSON, protobuf). */
__attribute__((format(printf, 2, 3)))
void cdoc_check_property(const char *name, const char *fmt, ...);

#endif
