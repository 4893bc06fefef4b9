/* SPDX-License-Identifier: MIT */
/*
 * The sandbox's promises as data. The Capsem guest (profiles/capsem.json) is
 * compiled in as the default; --profile FILE replaces it as a whole.
 */
#ifndef CDOC_PROFILE_H
#define CDOC_PROFILE_H

#include "cdoc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cdoc_strings {
    char **items;
    size_t count;
};

struct cdoc_profile_rootfs {
    char *device;        /* "/dev/vda": the immutable lower layer */
    char *device_fstype; /* "squashfs" */
    char *root_fstype;   /* "overlay" */
    char *upper_fstype;  /* "tmpfs": where writes to / land */
};

struct cdoc_profile_scratch {
    char *path;          /* "/root" */
    char *fstype;        /* "ext4" */
    uint64_t min_bytes;  /* size of the scratch block device, at least */
};

struct cdoc_profile_processes {
    char *pty_agent;     /* "capsem-pty-agent" */
    char *net_proxy;     /* "capsem-net-proxy" */
    char *dns_server;    /* "dnsmasq" */
    struct cdoc_strings forbidden_service_managers;
    struct cdoc_strings forbidden_remote_access;
    struct cdoc_strings forbidden_schedulers;
};

struct cdoc_profile_network {
    char *dummy_interface;          /* "dummy0" */
    struct cdoc_strings interfaces; /* the only links allowed: lo, dummy0 */
    char *sentinel_address;         /* "10.0.0.1": every name resolves here */
    int proxy_port;                 /* 10443 */
    int https_port;                 /* 443, redirected to proxy_port */
    char *ca_cert;                  /* the intercepting proxy's CA */
    struct cdoc_strings allowed_domains;
    struct cdoc_strings denied_domains;
    struct cdoc_strings ai_provider_domains;
    double connect_timeout_seconds;
    char *throughput_url;
    double throughput_min_bytes_per_second;
    double throughput_timeout_seconds; /* limit of the whole download */
    char *resolver_address;         /* "127.0.0.1": the guest's DNS server */
    int http_port;                  /* 80: must not be proxied */
    int closed_port;                /* 8443: a port that must fail */
    char *direct_ip;                /* "1.1.1.1": must have no route */
    char *system_ca_bundle;         /* the system trust store file */
    struct cdoc_strings ca_env_vars; /* variables naming a CA file */
};

struct cdoc_profile_environment {
    char *term;                     /* "xterm-256color" */
    char *home;                     /* "/root" */
    struct cdoc_strings path_dirs;  /* directories PATH must contain */
    char *venv;                     /* the virtualenv that must be active */
    char *shell;                    /* "/bin/bash" */
};

struct cdoc_profile {
    char *name;
    char *description;
    char *architecture;             /* uname machine: "aarch64" */
    int kernel_major;               /* 6 */
    double clock_max_skew_seconds;  /* 60 */
    bool swap_required;

    struct cdoc_profile_rootfs rootfs;
    struct cdoc_strings writable_paths;
    struct cdoc_profile_scratch scratch;
    struct cdoc_strings guest_binaries;
    struct cdoc_strings kernel_cmdline; /* "ro", "init_on_alloc=1", ... */
    struct cdoc_profile_processes processes;
    struct cdoc_profile_network network;
    struct cdoc_profile_environment environment;

    /* For the suites that come later; parsed and printed, not yet checked. */
    struct cdoc_strings runtimes;
    struct cdoc_strings utilities;
    struct cdoc_strings ai_clis;
    char *mcp_server_command;
    char *injection_manifest;
};

/* The largest profile accepted, in bytes. */
#define CDOC_PROFILE_MAX_BYTES (1024 * 1024)

/*
 * Parse a profile from JSON text. origin names the source in errors
 * ("built-in profile", a file path; "profile" when NULL). Every key is
 * required, unknown keys are rejected, and an error names origin and the
 * key path ("profile.json: network.proxy_port: expected an integer from 1
 * to 65535, got \"x\""). JSON syntax errors name origin, line and column
 * ("profile.json:3:7: invalid JSON: ..."). profile is overwritten without
 * being released first. On error it is left empty (all NULL and 0) and err
 * contains the message. docs/profile.md lists every key and its rules.
 */
int cdoc_profile_parse(struct cdoc_profile *profile, const char *json,
                       size_t len, const char *origin, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Read and parse a profile file of at most CDOC_PROFILE_MAX_BYTES. The
 * errors name the path and what to do: missing, unreadable, a directory,
 * empty or too large. On error the profile is left empty. */
int cdoc_profile_load_file(struct cdoc_profile *profile, const char *path,
                           struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Parse the built-in Capsem guest profile. */
int cdoc_profile_load_default(struct cdoc_profile *profile,
                              struct cdoc_err *err)
    __attribute__((warn_unused_result));

/*
 * Serialise a profile to pretty JSON: 2-space indent, keys in the order of
 * profiles/capsem.json, and a final newline. The caller frees the result.
 * Numbers use a '.' whatever LC_NUMERIC is set to. Parsing the output gives
 * back an equal profile. A NULL string prints as null, which does not parse
 * back.
 */
char *cdoc_profile_to_json(const struct cdoc_profile *profile);

/* Split an https:// URL such as network.throughput_url into its host and
 * its path with any query ("/" when it has neither). The caller frees
 * both. */
void cdoc_url_split(const char *url, char **host, char **path);

/* True when list contains text exactly. */
bool cdoc_strings_contains(const struct cdoc_strings *list, const char *text);

/* Append a copy of text to list. */
void cdoc_strings_append(struct cdoc_strings *list, const char *text);

/* Make dst a deep copy of src; dst's old items are not released. */
void cdoc_strings_copy(struct cdoc_strings *dst,
                       const struct cdoc_strings *src);

/* Free every item and the array, and leave list empty. */
void cdoc_strings_release(struct cdoc_strings *list);

/* Free everything the profile owns and leave it empty (all NULL and 0). */
void cdoc_profile_release(struct cdoc_profile *profile);

#endif
