/* SPDX-License-Identifier: MIT */
/* Unit tests of the profile loader: values, printing, and every error. */
#include "profile/profile.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURE(name) CDOC_FIXTURES "/profiles/" name

extern const char cdoc_default_profile_json[];

/* ---- helpers ------------------------------------------------------------ */

static bool profile_is_empty(const struct cdoc_profile *profile)
{
    static const struct cdoc_profile empty;

    return memcmp(profile, &empty, sizeof(empty)) == 0;
}

static void assert_lists_equal(const struct cdoc_strings *a,
                               const struct cdoc_strings *b, const char *name)
{
    cr_assert_eq(a->count, b->count, "%s: %zu items, expected %zu", name,
                 a->count, b->count);
    for (size_t i = 0; i < a->count; i++)
        cr_assert_str_eq(a->items[i], b->items[i], "%s[%zu]", name, i);
}

/* Every member of every struct, so that a member the printer or the reader
 * forgets shows up here by name. */
static void assert_profiles_equal(const struct cdoc_profile *a,
                                  const struct cdoc_profile *b)
{
#define STR(member) cr_assert_str_eq(a->member, b->member, #member)
#define NUM(member) cr_assert_eq(a->member, b->member, #member)
#define LIST(member) assert_lists_equal(&a->member, &b->member, #member)
    STR(name);
    STR(description);
    STR(architecture);
    NUM(kernel_major);
    NUM(clock_max_skew_seconds);
    NUM(swap_required);
    STR(rootfs.device);
    STR(rootfs.device_fstype);
    STR(rootfs.root_fstype);
    STR(rootfs.upper_fstype);
    LIST(writable_paths);
    STR(scratch.path);
    STR(scratch.fstype);
    NUM(scratch.min_bytes);
    LIST(guest_binaries);
    LIST(kernel_cmdline);
    STR(processes.pty_agent);
    STR(processes.net_proxy);
    STR(processes.dns_server);
    LIST(processes.forbidden_service_managers);
    LIST(processes.forbidden_remote_access);
    LIST(processes.forbidden_schedulers);
    STR(network.dummy_interface);
    LIST(network.interfaces);
    STR(network.sentinel_address);
    NUM(network.proxy_port);
    NUM(network.https_port);
    STR(network.ca_cert);
    LIST(network.allowed_domains);
    LIST(network.denied_domains);
    LIST(network.ai_provider_domains);
    NUM(network.connect_timeout_seconds);
    STR(network.throughput_url);
    NUM(network.throughput_min_bytes_per_second);
    NUM(network.throughput_timeout_seconds);
    STR(network.resolver_address);
    NUM(network.http_port);
    NUM(network.closed_port);
    STR(network.direct_ip);
    STR(network.system_ca_bundle);
    LIST(network.ca_env_vars);
    STR(environment.term);
    STR(environment.home);
    LIST(environment.path_dirs);
    STR(environment.venv);
    STR(environment.shell);
    LIST(runtimes);
    LIST(utilities);
    LIST(ai_clis);
    STR(mcp_server_command);
    STR(injection_manifest);
#undef STR
#undef NUM
#undef LIST
}

static void assert_list(const struct cdoc_strings *list, const char *name,
                        const char *const *expected, size_t count)
{
    cr_assert_eq(list->count, count, "%s has %zu items, expected %zu", name,
                 list->count, count);
    for (size_t i = 0; i < count; i++)
        cr_assert_str_eq(list->items[i], expected[i], "%s[%zu]", name, i);
}

#define ASSERT_LIST(list, ...)                                             \
    do {                                                                   \
        static const char *const expected_[] = {__VA_ARGS__};              \
        assert_list(&(list), #list, expected_,                             \
                    sizeof(expected_) / sizeof(expected_[0]));             \
    } while (0)

/* The built-in profile's text with the one occurrence of `from` replaced
 * by `to`; the caller frees it. */
static char *default_with(const char *from, const char *to)
{
    const char *text = cdoc_default_profile_json;
    const char *at = strstr(text, from);
    size_t from_len = strlen(from);
    char *result;

    cr_assert_not_null(at, "'%s' is not in profiles/capsem.json", from);
    cr_assert_null(strstr(at + 1, from),
                   "'%s' is in profiles/capsem.json more than once", from);
    result = cdoc_xasprintf("%.*s%s%s", (int)(at - text), text, to,
                            at + from_len);
    return result;
}

/* Parse the built-in profile with one edit, as "profile.json", expect it
 * to fail with exactly `message`, and the profile to be left empty. */
static void assert_edit_fails(const char *from, const char *to,
                              const char *message)
{
    struct cdoc_profile profile;
    struct cdoc_err err = {{0}};
    char *text = default_with(from, to);
    int rc;

    memset(&profile, 0xa5, sizeof(profile));
    rc = cdoc_profile_parse(&profile, text, strlen(text), "profile.json",
                            &err);
    cr_assert_eq(rc, -1, "'%s' -> '%s' was accepted", from, to);
    cr_assert_str_eq(err.msg, message);
    cr_assert(profile_is_empty(&profile),
              "the profile is not left empty after an error");
    free(text);
}

/* Parse the built-in profile with one edit and expect it to load. */
static void assert_edit_loads(const char *from, const char *to,
                              struct cdoc_profile *profile)
{
    struct cdoc_err err = {{0}};
    char *text = default_with(from, to);
    int rc;

    rc = cdoc_profile_parse(profile, text, strlen(text), "profile.json",
                            &err);
    cr_assert_eq(rc, 0, "'%s' -> '%s' was rejected: %s", from, to, err.msg);
    free(text);
}

static void assert_text_fails(const char *text, const char *message)
{
    struct cdoc_profile profile;
    struct cdoc_err err = {{0}};
    int rc;

    rc = cdoc_profile_parse(&profile, text, strlen(text), "profile.json",
                            &err);
    cr_assert_eq(rc, -1, "'%s' was accepted", text);
    cr_assert_str_eq(err.msg, message);
    cr_assert(profile_is_empty(&profile));
}

static void assert_file_fails(const char *path, const char *message)
{
    struct cdoc_profile profile;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_load_file(&profile, path, &err), -1,
                 "%s was accepted", path);
    cr_assert_str_eq(err.msg, message);
    cr_assert(profile_is_empty(&profile));
}

/* ---- the built-in profile ----------------------------------------------- */

Test(profile, default_has_capsem_values)
{
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_load_default(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(p.name, "capsem");
    cr_assert_str_eq(p.architecture, "aarch64");
    cr_assert_eq(p.kernel_major, 6);
    cr_assert_eq(p.clock_max_skew_seconds, 60.0);
    cr_assert(p.swap_required);
    cr_assert_str_eq(p.rootfs.device, "/dev/vda");
    cr_assert_str_eq(p.rootfs.device_fstype, "squashfs");
    cr_assert_str_eq(p.rootfs.root_fstype, "overlay");
    cr_assert_str_eq(p.rootfs.upper_fstype, "tmpfs");
    ASSERT_LIST(p.writable_paths, "/root", "/tmp", "/run", "/var/log",
                "/var/tmp");
    cr_assert_str_eq(p.scratch.path, "/root");
    cr_assert_str_eq(p.scratch.fstype, "ext4");
    cr_assert_eq(p.scratch.min_bytes, UINT64_C(4000000000));
    ASSERT_LIST(p.guest_binaries, "/usr/local/bin/capsem-pty-agent",
                "/usr/local/bin/capsem-net-proxy",
                "/usr/local/bin/capsem-mcp-server");
    ASSERT_LIST(p.kernel_cmdline, "ro", "init_on_alloc=1", "slab_nomerge",
                "page_alloc.shuffle=1");
    cr_assert_str_eq(p.processes.pty_agent, "capsem-pty-agent");
    cr_assert_str_eq(p.processes.net_proxy, "capsem-net-proxy");
    cr_assert_str_eq(p.processes.dns_server, "dnsmasq");
    cr_assert(cdoc_strings_contains(&p.processes.forbidden_service_managers,
                                    "systemd"));
    cr_assert(cdoc_strings_contains(&p.processes.forbidden_remote_access,
                                    "sshd"));
    cr_assert(cdoc_strings_contains(&p.processes.forbidden_schedulers,
                                    "cron"));
    cr_assert_str_eq(p.network.dummy_interface, "dummy0");
    ASSERT_LIST(p.network.interfaces, "lo", "dummy0");
    cr_assert_str_eq(p.network.sentinel_address, "10.0.0.1");
    cr_assert_eq(p.network.proxy_port, 10443);
    cr_assert_eq(p.network.https_port, 443);
    cr_assert_eq(p.network.connect_timeout_seconds, 3.0);
    cr_assert_gt(p.network.allowed_domains.count, 0);
    cr_assert_gt(p.network.denied_domains.count, 0);
    cr_assert(cdoc_strings_contains(&p.network.ai_provider_domains,
                                    "api.anthropic.com"));
    cr_assert_eq(p.network.throughput_min_bytes_per_second, 10e6);
    cr_assert_str_eq(p.environment.term, "xterm-256color");
    cr_assert_str_eq(p.environment.home, "/root");
    ASSERT_LIST(p.environment.path_dirs, "/usr/local/bin", "/usr/bin");
    cr_assert_str_eq(p.environment.shell, "/bin/bash");
    ASSERT_LIST(p.runtimes, "python3", "node", "npm", "pip3", "git");
    cr_assert_eq(p.utilities.count, 36);
    ASSERT_LIST(p.ai_clis, "claude", "gemini", "codex");
    cr_assert_str_eq(p.mcp_server_command,
                     "/usr/local/bin/capsem-mcp-server");
    cdoc_profile_release(&p);
    cr_assert(profile_is_empty(&p));
}

Test(profile, file_matches_builtin)
{
    struct cdoc_profile from_file;
    struct cdoc_profile builtin;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_load_file(&from_file,
                                        CDOC_SOURCE_DIR
                                        "/profiles/capsem.json",
                                        &err),
                 0, "%s", err.msg);
    cr_assert_eq(cdoc_profile_load_default(&builtin, &err), 0, "%s",
                 err.msg);
    assert_profiles_equal(&from_file, &builtin);
    cdoc_profile_release(&from_file);
    cdoc_profile_release(&builtin);
}

Test(profile, custom_example_loads)
{
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_load_file(&p, FIXTURE("custom.json"), &err),
                 0, "%s", err.msg);
    cr_assert_str_eq(p.name, "x86-lab");
    cr_assert_str_eq(p.architecture, "x86_64");
    cr_assert_not(p.swap_required);
    cr_assert_eq(p.network.denied_domains.count, 0);
    cdoc_profile_release(&p);
}

/* ---- printing ----------------------------------------------------------- */

static void assert_round_trip(const struct cdoc_profile *profile)
{
    struct cdoc_profile again;
    struct cdoc_err err = {{0}};
    char *json = cdoc_profile_to_json(profile);

    cr_assert_eq(cdoc_profile_parse(&again, json, strlen(json), "printed",
                                    &err),
                 0, "%s\n%s", err.msg, json);
    assert_profiles_equal(profile, &again);
    cdoc_profile_release(&again);
    free(json);
}

Test(profile, round_trip_default)
{
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_load_default(&p, &err), 0, "%s", err.msg);
    assert_round_trip(&p);
    cdoc_profile_release(&p);
}

Test(profile, round_trip_hard_values)
{
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_load_default(&p, &err), 0, "%s", err.msg);
    free(p.description);
    p.description = cdoc_xstrdup("quote \" backslash \\ slash / tab \t "
                                 "newline \n bell \x07 del \x7f "
                                 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    p.clock_max_skew_seconds = 0.1;
    p.network.throughput_timeout_seconds = 1e-7;
    p.network.throughput_min_bytes_per_second = 1.7976931348623157e308;
    p.scratch.min_bytes = INT64_MAX;
    p.kernel_major = 99;
    p.network.proxy_port = 65535;
    p.network.https_port = 1;
    cdoc_strings_release(&p.network.denied_domains);
    assert_round_trip(&p);

    p.network.throughput_min_bytes_per_second = 0;
    p.clock_max_skew_seconds = 123456789.125;
    p.network.throughput_timeout_seconds = 5e-324;
    assert_round_trip(&p);
    cdoc_profile_release(&p);
}

Test(profile, print_format)
{
    static const char start[] =
        "{\n  \"name\": \"capsem\",\n  \"description\": \"A Capsem";
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};
    char *json;

    cr_assert_eq(cdoc_profile_load_default(&p, &err), 0, "%s", err.msg);
    cdoc_strings_release(&p.network.denied_domains);
    json = cdoc_profile_to_json(&p);
    cr_assert(strncmp(json, start, strlen(start)) == 0,
              "unexpected start:\n%s", json);
    cr_assert_not_null(strstr(json, "\n  \"rootfs\": {\n    \"device\": "
                                    "\"/dev/vda\",\n"));
    cr_assert_not_null(strstr(json, "\n  \"writable_paths\": [\n    "
                                    "\"/root\",\n"));
    cr_assert_not_null(strstr(json, "\n    \"proxy_port\": 10443,\n"));
    cr_assert_not_null(strstr(json, "\n    \"denied_domains\": [],\n"));
    cr_assert_not_null(strstr(json, "\n  \"clock_max_skew_seconds\": 60,\n"));
    cr_assert_not_null(strstr(json, "\n  \"swap_required\": true,\n"));
    cr_assert_null(strstr(json, "\\/"), "'/' must not be escaped");
    cr_assert(strstr(json, "\"name\"") < strstr(json, "\"description\""));
    cr_assert(strstr(json, "\"network\"") < strstr(json, "\"environment\""));
    cr_assert_str_eq(json + strlen(json) - 4, "\"\n}\n");
    free(json);
    cdoc_profile_release(&p);
}

Test(profile, number_under_comma_locale)
{
    struct cdoc_profile p;
    struct cdoc_profile again;
    struct cdoc_err err = {{0}};
    char *text;
    char *json;

    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8"))
        cr_skip("the de_DE.UTF-8 locale is not installed; to run this "
                "test, build it with 'localedef -i de_DE -f UTF-8 "
                "DIR/de_DE.UTF-8' and set LOCPATH=DIR");
    cr_assert_str_eq(localeconv()->decimal_point, ",");
    /* NOTE: under a locale other than C, glibc 2.36's newlocale() leaks
     * about 25 bytes per json-c parse (json-c 0.16 copies the locale on
     * every call), so LeakSanitizer reports a few here. */

    /* Reading "2.5" must not stop at the '.', which strtod would here. */
    assert_edit_loads("\"connect_timeout_seconds\": 3",
                      "\"connect_timeout_seconds\": 2.5", &p);
    cr_assert_eq(p.network.connect_timeout_seconds, 2.5);

    p.clock_max_skew_seconds = 0.5;
    p.network.throughput_min_bytes_per_second = 1234567.875;
    json = cdoc_profile_to_json(&p);
    cr_assert_not_null(strstr(json, "\"clock_max_skew_seconds\": 0.5,"),
                       "%s", json);
    cr_assert_not_null(strstr(json, "\"connect_timeout_seconds\": 2.5,"),
                       "%s", json);
    cr_assert_not_null(
        strstr(json, "\"throughput_min_bytes_per_second\": 1234567.875\n"),
        "%s", json);
    cr_assert_eq(cdoc_profile_parse(&again, json, strlen(json), "printed",
                                    &err),
                 0, "%s", err.msg);
    assert_profiles_equal(&p, &again);
    cdoc_profile_release(&again);

    /* An error quoting a number must quote the document's own text. */
    text = default_with("\"connect_timeout_seconds\": 3",
                        "\"connect_timeout_seconds\": -0.5");
    cr_assert_eq(cdoc_profile_parse(&again, text, strlen(text), "p", &err),
                 -1);
    cr_assert_str_eq(err.msg, "p: network.connect_timeout_seconds: "
                              "expected a number greater than 0, got -0.5");
    free(text);
    free(json);
    cdoc_profile_release(&p);
    setlocale(LC_NUMERIC, "C");
}

/* ---- key errors --------------------------------------------------------- */

Test(profile, unknown_key_top_level)
{
    assert_file_fails(
        FIXTURE("unknown-key.json"),
        FIXTURE("unknown-key.json") ": unknown key \"swap\" (expected one "
                                    "of: name, description, architecture, "
                                    "kernel_major, clock_max_skew_seconds, "
                                    "swap_required, rootfs, writable_paths, "
                                    "scratch, guest_binaries, "
                                    "kernel_cmdline, processes, network, "
                                    "environment, runtimes, utilities, "
                                    "ai_clis, mcp_server_command, "
                                    "injection_manifest)");
}

Test(profile, unknown_key_nested)
{
    assert_edit_fails("\"shell\": \"/bin/bash\"", "\"shel\": \"/bin/bash\"",
                      "profile.json: environment: unknown key \"shel\" "
                      "(expected one of: term, home, path_dirs, venv, "
                      "shell)");
}

Test(profile, wrong_type)
{
    assert_edit_fails("\"proxy_port\": 10443", "\"proxy_port\": \"10443\"",
                      "profile.json: network.proxy_port: expected an "
                      "integer from 1 to 65535, got \"10443\"");
    assert_edit_fails("\"proxy_port\": 10443", "\"proxy_port\": 10443.0",
                      "profile.json: network.proxy_port: expected an "
                      "integer from 1 to 65535, got 10443.0");
    assert_edit_fails("\"swap_required\": true", "\"swap_required\": 1",
                      "profile.json: swap_required: expected true or "
                      "false, got 1");
    assert_edit_fails("\"venv\": \"/opt/venv\"", "\"venv\": null",
                      "profile.json: environment.venv: expected a string, "
                      "got null");
    assert_edit_fails("\"kernel_major\": 6", "\"kernel_major\": [6]",
                      "profile.json: kernel_major: expected an integer "
                      "from 1 to 99, got [6]");
    assert_edit_fails("\"clock_max_skew_seconds\": 60",
                      "\"clock_max_skew_seconds\": \"60\"",
                      "profile.json: clock_max_skew_seconds: expected a "
                      "number greater than 0, got \"60\"");
    assert_edit_fails("\"interfaces\": [\"lo\", \"dummy0\"]",
                      "\"interfaces\": \"lo dummy0\"",
                      "profile.json: network.interfaces: expected a list "
                      "of interface names of 1 to 15 bytes without '/', "
                      "':' or whitespace, got \"lo dummy0\"");
    assert_edit_fails("\"network\": {", "\"network\": [], \"x\": {",
                      "profile.json: unknown key \"x\" (expected one of: "
                      "name, description, architecture, kernel_major, "
                      "clock_max_skew_seconds, swap_required, rootfs, "
                      "writable_paths, scratch, guest_binaries, "
                      "kernel_cmdline, processes, network, environment, "
                      "runtimes, utilities, ai_clis, mcp_server_command, "
                      "injection_manifest)");
}

Test(profile, wrong_type_in_list)
{
    assert_edit_fails("\"registry.npmjs.org\"", "7",
                      "profile.json: network.allowed_domains[2]: expected "
                      "a string, got 7");
    assert_edit_fails("\"/var/log\"", "{\"path\": \"/var/log\"}",
                      "profile.json: writable_paths[3]: expected a string, "
                      "got {\"path\":\"/var/log\"}");
}

Test(profile, wrong_top_level)
{
    assert_text_fails("[1, 2]", "profile.json: expected a JSON object at "
                                "the top level, got [1,2]");
    assert_text_fails("5", "profile.json: expected a JSON object at the "
                           "top level, got 5");
    assert_text_fails("{}", "profile.json: missing key \"name\" (expected "
                            "a non-empty string without whitespace)");
}

Test(profile, port_out_of_range)
{
    assert_edit_fails("\"proxy_port\": 10443", "\"proxy_port\": 0",
                      "profile.json: network.proxy_port: expected an "
                      "integer from 1 to 65535, got 0");
    assert_edit_fails("\"proxy_port\": 10443", "\"proxy_port\": 65536",
                      "profile.json: network.proxy_port: expected an "
                      "integer from 1 to 65535, got 65536");
    assert_edit_fails("\"https_port\": 443", "\"https_port\": -443",
                      "profile.json: network.https_port: expected an "
                      "integer from 1 to 65535, got -443");
    assert_edit_fails("\"https_port\": 443",
                      "\"https_port\": 99999999999999999999999",
                      "profile.json: network.https_port: expected an "
                      "integer from 1 to 65535, got 18446744073709551615 "
                      "or more");
}

Test(profile, other_ranges)
{
    struct cdoc_profile p;

    assert_edit_fails("\"kernel_major\": 6", "\"kernel_major\": 0",
                      "profile.json: kernel_major: expected an integer "
                      "from 1 to 99, got 0");
    assert_edit_fails("\"kernel_major\": 6", "\"kernel_major\": 100",
                      "profile.json: kernel_major: expected an integer "
                      "from 1 to 99, got 100");
    assert_edit_fails("\"min_bytes\": 4000000000",
                      "\"min_bytes\": -1",
                      "profile.json: scratch.min_bytes: expected an "
                      "integer from 0 to 9223372036854775807, got -1");
    assert_edit_fails("\"min_bytes\": 4000000000",
                      "\"min_bytes\": 9223372036854775808",
                      "profile.json: scratch.min_bytes: expected an "
                      "integer from 0 to 9223372036854775807, got "
                      "9223372036854775808");
    assert_edit_fails("\"min_bytes\": 4000000000", "\"min_bytes\": 4e9",
                      "profile.json: scratch.min_bytes: expected an "
                      "integer from 0 to 9223372036854775807, got 4e9");
    assert_edit_fails("\"clock_max_skew_seconds\": 60",
                      "\"clock_max_skew_seconds\": 0",
                      "profile.json: clock_max_skew_seconds: expected a "
                      "number greater than 0, got 0");
    assert_edit_fails("\"connect_timeout_seconds\": 3",
                      "\"connect_timeout_seconds\": 1e400",
                      "profile.json: network.connect_timeout_seconds: "
                      "expected a number greater than 0, got 1e400");
    assert_edit_fails("\"throughput_min_bytes_per_second\": 10000000",
                      "\"throughput_min_bytes_per_second\": -1",
                      "profile.json: network.throughput_min_bytes_per_"
                      "second: expected a number of 0 or more, got -1");

    assert_edit_loads("\"min_bytes\": 4000000000",
                      "\"min_bytes\": 9223372036854775807", &p);
    cr_assert_eq(p.scratch.min_bytes, UINT64_C(9223372036854775807));
    cdoc_profile_release(&p);
    assert_edit_loads("\"throughput_min_bytes_per_second\": 10000000",
                      "\"throughput_min_bytes_per_second\": 0", &p);
    cr_assert_eq(p.network.throughput_min_bytes_per_second, 0.0);
    cdoc_profile_release(&p);
    assert_edit_loads("\"clock_max_skew_seconds\": 60",
                      "\"clock_max_skew_seconds\": 0.25", &p);
    cr_assert_eq(p.clock_max_skew_seconds, 0.25);
    cdoc_profile_release(&p);
}

/* The loader refuses url as network.throughput_url, quoting it. */
static void assert_url_refused(const char *url)
{
    char *to = cdoc_xasprintf("\"%s\"", url);
    char *message = cdoc_xasprintf(
        "profile.json: network.throughput_url: expected an https:// URL "
        "whose host is a domain name, without user, port or fragment, got "
        "\"%s\"", url);

    assert_edit_fails("\"https://github.com/capsem-doctor/100MB.bin\"", to,
                      message);
    free(to);
    free(message);
}

Test(profile, text_rules)
{
    assert_edit_fails("\"device\": \"/dev/vda\"", "\"device\": \"vda\"",
                      "profile.json: rootfs.device: expected an absolute "
                      "path, got \"vda\"");
    assert_edit_fails("\"device\": \"/dev/vda\"", "\"device\": \"\"",
                      "profile.json: rootfs.device: expected an absolute "
                      "path, got \"\"");
    assert_edit_fails("\"name\": \"capsem\"", "\"name\": \"cap sem\"",
                      "profile.json: name: expected a non-empty string "
                      "without whitespace, got \"cap sem\"");
    assert_edit_fails("\"dns_server\": \"dnsmasq\"", "\"dns_server\": \"\"",
                      "profile.json: processes.dns_server: expected a "
                      "non-empty string, got \"\"");
    assert_edit_fails("\"dns_server\": \"dnsmasq\"",
                      "\"dns_server\": \"dns\\u0000masq\"",
                      "profile.json: processes.dns_server: expected a "
                      "non-empty string, got \"dns\\u0000masq\"");
    assert_edit_fails("\"sentinel_address\": \"10.0.0.1\"",
                      "\"sentinel_address\": \"10.0.0.256\"",
                      "profile.json: network.sentinel_address: expected an "
                      "IPv4 or IPv6 address, got \"10.0.0.256\"");
    assert_edit_fails("\"dummy_interface\": \"dummy0\"",
                      "\"dummy_interface\": \"a-very-long-name0\"",
                      "profile.json: network.dummy_interface: expected an "
                      "interface name of 1 to 15 bytes without '/', ':' "
                      "or whitespace, got \"a-very-long-name0\"");
    assert_edit_fails("\"github.com\"", "\"GitHub.com\"",
                      "profile.json: network.allowed_domains[0]: expected "
                      "a lower-case domain name such as example.com, got "
                      "\"GitHub.com\"");
    assert_edit_fails("\"github.com\"", "\"https://github.com\"",
                      "profile.json: network.allowed_domains[0]: expected "
                      "a lower-case domain name such as example.com, got "
                      "\"https://github.com\"");
    assert_edit_fails("\"github.com\"", "\"*.github.com\"",
                      "profile.json: network.allowed_domains[0]: expected "
                      "a lower-case domain name such as example.com, got "
                      "\"*.github.com\"");
    assert_edit_fails("\"https://github.com/capsem-doctor/100MB.bin\"",
                      "\"http://github.com/100MB.bin\"",
                      "profile.json: network.throughput_url: expected an "
                      "https:// URL whose host is a domain name, without "
                      "user, port or fragment, got "
                      "\"http://github.com/100MB.bin\"");
    assert_url_refused("https://github.com:8443/100MB.bin");
    assert_url_refused("https://me@github.com/100MB.bin");
    assert_url_refused("https://[::1]/100MB.bin");
    assert_url_refused("https://github.com/100MB.bin#x");
    assert_edit_fails("\"NODE_EXTRA_CA_CERTS\"", "\"A=B\"",
                      "profile.json: network.ca_env_vars[2]: expected an "
                      "environment variable name (letters, digits and "
                      "'_', not starting with a digit), got \"A=B\"");
    assert_edit_fails("\"slab_nomerge\"", "\"slab_nomerge ro\"",
                      "profile.json: kernel_cmdline[2]: expected a "
                      "non-empty string without whitespace, got "
                      "\"slab_nomerge ro\"");
}

Test(profile, ports_that_must_stay_closed)
{
    assert_edit_fails("\"http_port\": 80", "\"http_port\": 443",
                      "profile.json: network.http_port: 443 is also "
                      "network.https_port, the one port that must reach "
                      "the proxy; give a port that must stay closed");
    assert_edit_fails("\"closed_port\": 8443", "\"closed_port\": 443",
                      "profile.json: network.closed_port: 443 is also "
                      "network.https_port, the one port that must reach "
                      "the proxy; give a port that must stay closed");
}

Test(profile, connect_timeout_fits_a_check)
{
    assert_edit_fails("\"connect_timeout_seconds\": 3",
                      "\"connect_timeout_seconds\": 1000000",
                      "profile.json: network.connect_timeout_seconds: 1e+06 "
                      "is outside 0.1 to 3; each network step must fit in "
                      "a check's own 10 s limit");
    assert_edit_fails("\"connect_timeout_seconds\": 3",
                      "\"connect_timeout_seconds\": 0.0001",
                      "profile.json: network.connect_timeout_seconds: "
                      "0.0001 is outside 0.1 to 3; each network step must "
                      "fit in a check's own 10 s limit");
}

Test(profile, throughput_host_must_be_allowed)
{
    assert_edit_fails("\"https://github.com/capsem-doctor/100MB.bin\"",
                      "\"https://example.com/100MB.bin\"",
                      "profile.json: network.throughput_url: its host is "
                      "not in network.allowed_domains; the download must go "
                      "through the proxy to an allowed domain");
    assert_url_refused("https://127.0.0.1/100MB.bin");
}

Test(profile, throughput_timeout_within_the_check_limit)
{
    assert_edit_fails("\"throughput_timeout_seconds\": 60",
                      "\"throughput_timeout_seconds\": 120",
                      "profile.json: network.throughput_timeout_seconds: "
                      "120 is above 85, which leaves the throughput check "
                      "no time within its own limit of 90 s");
}

Test(profile, text_rules_accept)
{
    static const char decoded[] =
        "\xc3\xa9 \xf0\x9f\x98\x80 \" / A Capsem guest";
    struct cdoc_profile p;

    assert_edit_loads("\"sentinel_address\": \"10.0.0.1\"",
                      "\"sentinel_address\": \"fd00::1\"", &p);
    cr_assert_str_eq(p.network.sentinel_address, "fd00::1");
    cdoc_profile_release(&p);
    assert_edit_loads("\"description\": \"A Capsem guest",
                      "\"description\": \"\\u00e9 \\ud83d\\ude00 \\\" "
                      "\\/ A Capsem guest",
                      &p);
    cr_assert(strncmp(p.description, decoded, strlen(decoded)) == 0, "%s",
              p.description);
    cdoc_profile_release(&p);
}

Test(profile, long_value_is_abbreviated)
{
    char *to = cdoc_xasprintf("\"device\": \"%0100d\"", 0);

    assert_edit_fails("\"device\": \"/dev/vda\"", to,
                      "profile.json: rootfs.device: expected an absolute "
                      "path, got \"0000000000000000000000000000000000000000"
                      "00000000000000000...\"");
    free(to);
}

Test(profile, missing_key)
{
    assert_edit_fails("\"https_port\": 443,", "",
                      "profile.json: network: missing key \"https_port\" "
                      "(expected an integer from 1 to 65535)");
    assert_edit_fails("\"swap_required\": true,", "",
                      "profile.json: missing key \"swap_required\" "
                      "(expected true or false)");
    assert_edit_fails("\"venv\": \"/opt/venv\",", "",
                      "profile.json: environment: missing key \"venv\" "
                      "(expected an absolute path)");
    assert_edit_fails("\"interfaces\": [\"lo\", \"dummy0\"],", "",
                      "profile.json: network: missing key \"interfaces\" "
                      "(expected a list of interface names of 1 to 15 bytes "
                      "without '/', ':' or whitespace)");
}

Test(profile, duplicate_list_entry)
{
    assert_edit_fails("\"/var/log\", \"/var/tmp\"", "\"/tmp\", \"/var/tmp\"",
                      "profile.json: writable_paths[3]: duplicate entry "
                      "\"/tmp\" (already at writable_paths[1])");
    assert_edit_fails("\"interfaces\": [\"lo\", \"dummy0\"]",
                      "\"interfaces\": [\"lo\", \"dummy0\", \"x\", "
                      "\"dummy0\", \"lo\"]",
                      "profile.json: network.interfaces[3]: duplicate "
                      "entry \"dummy0\" (already at "
                      "network.interfaces[1])");
}

/* The line of the one occurrence of text in the built-in profile. */
static size_t default_line_of(const char *text)
{
    const char *at = strstr(cdoc_default_profile_json, text);
    size_t line = 1;

    cr_assert_not_null(at);
    for (const char *p = cdoc_default_profile_json; p < at; p++)
        line += *p == '\n';
    return line;
}

Test(profile, duplicate_object_key)
{
    size_t line = default_line_of("\"proxy_port\": 10443,");
    char *expected = cdoc_xasprintf(
        "profile.json:%zu:26: network: duplicate key \"proxy_port\" (first "
        "at line %zu, column 5)",
        line, line);

    assert_edit_fails("\"proxy_port\": 10443,",
                      "\"proxy_port\": 10443, \"proxy_port\": 80,",
                      expected);
    free(expected);
    assert_text_fails("{\"a\": 1,\n \"b\": {\"c\": [{\"d\": 1, \"d\": 2}]},"
                      "\n \"a\": 3}",
                      "profile.json:2:23: b.c[0]: duplicate key \"d\" "
                      "(first at line 2, column 15)");
    assert_text_fails("{\"a\": 1, \"\\u0061\": 2}",
                      "profile.json:1:10: duplicate key \"a\" (first at "
                      "line 1, column 2)");
    assert_text_fails("{\"name\\u0000x\": 1}",
                      "profile.json:1:2: key \"name\\u0000x\" contains a "
                      "NUL character");
}

Test(profile, rules_across_keys)
{
    assert_edit_fails("\"interfaces\": [\"lo\", \"dummy0\"]",
                      "\"interfaces\": [\"lo\"]",
                      "profile.json: network.dummy_interface: \"dummy0\" "
                      "is not in network.interfaces, the only interfaces "
                      "allowed to exist; add it there");
    assert_edit_fails("\"proxy_port\": 10443", "\"proxy_port\": 443",
                      "profile.json: network.proxy_port: 443 is also "
                      "network.https_port; the proxy must listen on "
                      "another port than the one redirected to it");
    assert_edit_fails("\"denied_domains\": [\"example.com\"",
                      "\"denied_domains\": [\"example.com\", \"pypi.org\"",
                      "profile.json: network.denied_domains[1]: "
                      "\"pypi.org\" is also in network.allowed_domains; a "
                      "domain is either allowed or denied");
}

/* ---- JSON syntax -------------------------------------------------------- */

Test(profile, syntax_error_line_column)
{
    assert_file_fails(FIXTURE("syntax-error.json"),
                      FIXTURE("syntax-error.json") ":4:23: invalid JSON: "
                                                   "boolean expected");
}

Test(profile, syntax_error_at_end)
{
    assert_text_fails("{\"name\": \"capsem\",\n  \"network\": {",
                      "profile.json:2:15: invalid JSON: unexpected end of "
                      "data");
    assert_text_fails("{\"a\": \"\xff\"}",
                      "profile.json:1:8: invalid JSON: invalid utf-8 "
                      "string");
}

Test(profile, trailing_garbage)
{
    assert_file_fails(FIXTURE("trailing-garbage.json"),
                      FIXTURE("trailing-garbage.json")
                      ":3:1: invalid JSON: unexpected text after the end "
                      "of the document (a profile is one JSON object)");
    assert_text_fails("{} {}", "profile.json:1:4: invalid JSON: unexpected "
                               "text after the end of the document (a "
                               "profile is one JSON object)");
}

Test(profile, trailing_nul_byte)
{
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_profile_parse(&p, "{}\0{}", 5, "profile.json", &err),
                 -1);
    cr_assert_str_eq(err.msg, "profile.json:1:3: invalid JSON: unexpected "
                              "text after the end of the document (a "
                              "profile is one JSON object)");
}

Test(profile, not_rfc8259)
{
    assert_text_fails("{'a': 1}", "profile.json:1:2: invalid JSON: strings "
                                  "must be in double quotes");
    assert_text_fails("{\"a\": \"x\ty\"}",
                      "profile.json:1:9: a: invalid JSON: raw control "
                      "character 0x09 in a string; write it as an escape "
                      "such as \\n or \\u0009");
    assert_text_fails("{\"a\": [1, 2, 1.]}",
                      "profile.json:1:14: a[2]: invalid JSON: invalid "
                      "number \"1.\"");
    assert_text_fails("{\"a\": -01}",
                      "profile.json:1:7: a: invalid JSON: invalid number "
                      "\"-01\"");
    assert_text_fails("{\"a\": NaN}",
                      "profile.json:1:7: a: invalid JSON: unknown literal "
                      "\"NaN\" (JSON has only true, false and null)");
    assert_text_fails("{\"a\": -Infinity}",
                      "profile.json:1:7: a: invalid JSON: invalid number "
                      "\"-Infinity\"");
    assert_text_fails("{\"a\": 1, /* c */ \"b\": 2}",
                      "profile.json:1:10: invalid JSON: quoted object "
                      "property name expected");
}

Test(profile, byte_order_mark_is_ignored)
{
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};
    char *text = cdoc_xasprintf("\xef\xbb\xbf%s", cdoc_default_profile_json);

    cr_assert_eq(cdoc_profile_parse(&p, text, strlen(text), "bom", &err), 0,
                 "%s", err.msg);
    cr_assert_str_eq(p.name, "capsem");
    cdoc_profile_release(&p);
    free(text);
}

Test(profile, too_large)
{
    size_t len = CDOC_PROFILE_MAX_BYTES + 1;
    char *text = cdoc_xmalloc(len);
    struct cdoc_profile p;
    struct cdoc_err err = {{0}};

    memset(text, ' ', len);
    cr_assert_eq(cdoc_profile_parse(&p, text, len, "big.json", &err), -1);
    cr_assert_str_eq(err.msg, "big.json: the profile is 1048577 bytes, more "
                              "than the limit of 1048576 bytes (1 MiB)");
    cr_assert(profile_is_empty(&p));
    free(text);
}

Test(profile, empty_text)
{
    assert_text_fails("", "profile.json: the profile is empty; it must be "
                          "a JSON object like the one --print-profile "
                          "prints");
    assert_text_fails(" \n\t ", "profile.json: the profile is empty; it "
                                "must be a JSON object like the one "
                                "--print-profile prints");
}

/* ---- files -------------------------------------------------------------- */

Test(profile, empty_file)
{
    assert_file_fails(FIXTURE("empty.json"),
                      "profile " FIXTURE("empty.json") ": the file is "
                      "empty; write a profile into it (--print-profile "
                      "shows the built-in one to start from) or omit "
                      "--profile to use the built-in Capsem profile");
}

Test(profile, missing_file)
{
    assert_file_fails(FIXTURE("no-such-file.json"),
                      "profile " FIXTURE("no-such-file.json") ": cannot "
                      "open: No such file or directory; pass an existing "
                      "file to --profile or omit --profile to use the "
                      "built-in Capsem profile");
}

Test(profile, directory)
{
    assert_file_fails(CDOC_FIXTURES "/profiles",
                      "profile " CDOC_FIXTURES "/profiles: is a directory; "
                      "pass a JSON file to --profile or omit --profile to "
                      "use the built-in Capsem profile");
}

Test(profile, unreadable_file)
{
    char path[] = "/tmp/cdoc-profile-XXXXXX";
    char *expected;
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(chmod(path, 0), 0);
    if (access(path, R_OK) == 0) {
        unlink(path);
        cr_skip("running as root or with CAP_DAC_OVERRIDE: every file is "
                "readable");
    }
    expected = cdoc_xasprintf("profile %s: cannot open: Permission denied; "
                              "make the file readable by this user, pass "
                              "another file to --profile or omit --profile "
                              "to use the built-in Capsem profile",
                              path);
    assert_file_fails(path, expected);
    unlink(path);
    free(expected);
}

Test(profile, large_file)
{
    char path[] = "/tmp/cdoc-profile-XXXXXX";
    char *expected;
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, CDOC_PROFILE_MAX_BYTES + 1), 0);
    close(fd);
    expected = cdoc_xasprintf("profile %s: the file is larger than 1048576 "
                              "bytes (1 MiB), the limit for a profile; "
                              "check that --profile names a profile",
                              path);
    assert_file_fails(path, expected);
    unlink(path);
    free(expected);
}

Test(profile, file_error_names_path)
{
    char path[] = "/tmp/cdoc-profile-XXXXXX";
    char *text = default_with("\"proxy_port\": 10443",
                              "\"proxy_port\": true");
    char *expected;
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    expected = cdoc_xasprintf("%s: network.proxy_port: expected an integer "
                              "from 1 to 65535, got true",
                              path);
    assert_file_fails(path, expected);
    unlink(path);
    free(expected);
    free(text);
}

/* ---- string lists ------------------------------------------------------- */

Test(profile, strings_helpers)
{
    struct cdoc_strings list = {0};
    struct cdoc_strings copy;

    cr_assert_not(cdoc_strings_contains(&list, "a"));
    cr_assert_not(cdoc_strings_contains(NULL, "a"));
    cdoc_strings_append(&list, "a");
    cdoc_strings_append(&list, "b");
    cr_assert(cdoc_strings_contains(&list, "a"));
    cr_assert(cdoc_strings_contains(&list, "b"));
    cr_assert_not(cdoc_strings_contains(&list, "ab"));
    cr_assert_not(cdoc_strings_contains(&list, NULL));
    cdoc_strings_copy(&copy, &list);
    cdoc_strings_release(&list);
    cr_assert_null(list.items);
    cr_assert_eq(list.count, 0);
    cr_assert_eq(copy.count, 2);
    cr_assert_str_eq(copy.items[1], "b");
    cdoc_strings_release(&copy);
}

Test(profile, url_split_host_and_path)
{
    static const struct {
        const char *url, *host, *path;
    } cases[] = {
        {"https://github.com/capsem-doctor/100MB.bin", "github.com",
         "/capsem-doctor/100MB.bin"},
        {"https://github.com", "github.com", "/"},
        {"https://github.com?size=1", "github.com", "/?size=1"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *host, *path;

        cdoc_url_split(cases[i].url, &host, &path);
        cr_expect_str_eq(host, cases[i].host, "host of %s", cases[i].url);
        cr_expect_str_eq(path, cases[i].path, "path of %s", cases[i].url);
        free(host);
        free(path);
    }
}
