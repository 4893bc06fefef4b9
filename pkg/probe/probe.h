/* SPDX-License-Identifier: MIT */
/*
 * Probes: small readers of system state. Each reads one thing and returns a
 * typed value; none prints or decides a verdict. Readers of /proc, /sys and
 * /etc take a root prefix ("/" on a real system, a fixture tree in unit
 * tests), so "<root>/proc/self/mountinfo" is what gets opened.
 */
#ifndef CDOC_PROBE_H
#define CDOC_PROBE_H

#include "cdoc.h"
#include "profile/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "<root>/<path>" without doubled slashes; the caller frees it. */
char *cdoc_path_join(const char *root, const char *path);

/*
 * Read a whole file under root into a NUL-terminated buffer, at most max
 * bytes (the rest is ignored). Returns -1 with errno kept from the failing
 * call, so callers can tell ENOENT (absent) from EACCES (unreadable).
 */
int cdoc_read_file(const char *root, const char *path, size_t max,
                   char **text, size_t *len, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* ---- mount table: <root>/proc/self/mountinfo ---------------------------- */

struct cdoc_mount {
    int id;
    int parent_id;
    unsigned major;
    unsigned minor;
    char *root;          /* octal escapes (\040) decoded in every field */
    char *mount_point;
    char *options;       /* per-mount options: "ro,nosuid,relatime" */
    char *fstype;
    char *source;
    char *super_options; /* per-superblock: "lowerdir=...,upperdir=..." */
};

struct cdoc_mounts {
    struct cdoc_mount *items;
    size_t count;
};

int cdoc_mounts_parse(const char *text, struct cdoc_mounts *mounts,
                      struct cdoc_err *err)
    __attribute__((warn_unused_result));
int cdoc_mounts_read(const char *root, struct cdoc_mounts *mounts,
                     struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* The visible mount at exactly mount_point: the last one in the table,
 * because later mounts stack over earlier ones. NULL if none. */
const struct cdoc_mount *cdoc_mounts_at(const struct cdoc_mounts *mounts,
                                        const char *mount_point);

/* The mount a path lives on: the visible mount whose mount point is the
 * longest prefix of path at a '/' boundary. */
const struct cdoc_mount *cdoc_mounts_containing(
    const struct cdoc_mounts *mounts, const char *path);

/* The value of a "key=value" option in the super options, then in the
 * per-mount options; "" for a bare "key"; NULL when absent. The caller
 * frees it. Escaped commas ("\,") inside values are kept. */
char *cdoc_mount_option(const struct cdoc_mount *mount, const char *key);

/* True when the per-mount options contain "ro". */
bool cdoc_mount_is_read_only(const struct cdoc_mount *mount);

/* Split an overlay lowerdir value on ':' (honouring "\:") into paths. */
void cdoc_overlay_split_lowerdirs(const char *value, struct cdoc_strings *dirs);

void cdoc_mounts_release(struct cdoc_mounts *mounts);

/* ---- kernel command line: <root>/proc/cmdline --------------------------- */

struct cdoc_cmdline_param {
    char *key;
    char *value; /* NULL for a bare flag; quotes removed: a="b c" is b c */
};

struct cdoc_cmdline {
    struct cdoc_cmdline_param *items;
    size_t count;
};

/* Parse the way the kernel does: whitespace separates parameters except
 * inside double quotes, and everything after a bare "--" belongs to init,
 * so it is not a kernel parameter and is left out. */
void cdoc_cmdline_parse(const char *text, struct cdoc_cmdline *cmdline);
int cdoc_cmdline_read(const char *root, struct cdoc_cmdline *cmdline,
                      struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* The last parameter with this key (the kernel lets the last one win). */
const struct cdoc_cmdline_param *cdoc_cmdline_find(
    const struct cdoc_cmdline *cmdline, const char *key);

/* True when the command line has the effect of required: "key=value"
 * matches the last value of key, a bare "flag" matches a bare flag. For
 * "ro" and "rw", whichever of the two comes last decides. */
bool cdoc_cmdline_satisfies(const struct cdoc_cmdline *cmdline,
                            const char *required);

void cdoc_cmdline_release(struct cdoc_cmdline *cmdline);

/* ---- processes: <root>/proc/<pid>/ -------------------------------------- */

struct cdoc_process {
    pid_t pid;
    char *comm; /* as the kernel keeps it: cut to 15 bytes */
    char *name; /* full name: comm, or when comm is 15 bytes long the
                   basename of argv[0] that it is a prefix of (for a
                   "#!" script, of the first later argument that is) */
    char *exe;  /* target of /proc/<pid>/exe, or NULL when unreadable */
    bool other_pid_namespace; /* its /proc/<pid>/ns/pid differs from the
                                 reader's own; false when either is
                                 unreadable */
};

struct cdoc_processes {
    struct cdoc_process *items;
    size_t count;
};

/* List every process; a process that exits while being read is skipped. */
int cdoc_processes_read(const char *root, struct cdoc_processes *processes,
                        struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* The first process whose full name is name, or NULL. */
const struct cdoc_process *cdoc_processes_find(
    const struct cdoc_processes *processes, const char *name);

void cdoc_processes_release(struct cdoc_processes *processes);

/* ---- network interfaces: <root>/sys/class/net/ -------------------------- */

struct cdoc_interface {
    char *name;
    unsigned flags;    /* IFF_UP and friends, from .../flags */
    char *operstate;   /* "up", "down", "unknown" */
};

struct cdoc_interfaces {
    struct cdoc_interface *items;
    size_t count;
};

int cdoc_interfaces_read(const char *root, struct cdoc_interfaces *ifaces,
                         struct cdoc_err *err)
    __attribute__((warn_unused_result));
const struct cdoc_interface *cdoc_interfaces_find(
    const struct cdoc_interfaces *ifaces, const char *name);
void cdoc_interfaces_release(struct cdoc_interfaces *ifaces);

/* IPv4 addresses (dotted quad) of one interface, from getifaddrs(3). This
 * reads the live kernel, not a root prefix. */
int cdoc_interface_ipv4_addresses(const char *name, struct cdoc_strings *out,
                                  struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* True when address is assigned to any local interface (getifaddrs). */
bool cdoc_address_is_local(const char *address);

/* "nameserver" entries of <root>/etc/resolv.conf, in order. */
int cdoc_resolv_nameservers(const char *root, struct cdoc_strings *out,
                            struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8 (::ffff:127.x). */
bool cdoc_address_is_loopback(const char *address);

/* ---- swap: <root>/proc/swaps -------------------------------------------- */

struct cdoc_swap {
    char *filename; /* octal escapes decoded */
    char *type;     /* "partition" or "file" */
    uint64_t size_kib;
    uint64_t used_kib;
    int priority;
};

struct cdoc_swaps {
    struct cdoc_swap *items;
    size_t count;
};

int cdoc_swaps_parse(const char *text, struct cdoc_swaps *swaps,
                     struct cdoc_err *err)
    __attribute__((warn_unused_result));
int cdoc_swaps_read(const char *root, struct cdoc_swaps *swaps,
                    struct cdoc_err *err)
    __attribute__((warn_unused_result));
void cdoc_swaps_release(struct cdoc_swaps *swaps);

/* ---- files -------------------------------------------------------------- */

/* Files a mode scan keeps by path; the counts go on past it. */
#define CDOC_MODE_SCAN_KEPT 4096

struct cdoc_mode_file {
    char *path;     /* dir joined with the path below it */
    mode_t mode;    /* permission and special bits (07777) */
};

struct cdoc_mode_scan {
    struct cdoc_mode_file *files; /* sorted by path */
    size_t kept;
    size_t capacity;
    size_t count;        /* regular files with a bit of the mask */
    size_t setuid_count; /* of those, files with S_ISUID */
    size_t setgid_count; /* of those, files with S_ISGID */
    size_t unreadable;   /* directories that could not be read whole */
};

/*
 * Walk one filesystem from dir (no crossing into other mounts, no following
 * links) and record regular files with any of the mode bits in mask
 * (S_ISUID, S_ISGID): the first CDOC_MODE_SCAN_KEPT in path order, and
 * counts of all. Two threads share the walk on a machine with two CPUs
 * or more. Unreadable directories below dir are counted, not errors.
 * Returns -1 when dir itself cannot be opened.
 */
int cdoc_scan_mode_bits(const char *dir, mode_t mask,
                        struct cdoc_mode_scan *scan, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Append to found the paths of kept files with any of bits, in path
 * order, until found contains max_listed paths. */
void cdoc_mode_scan_list(const struct cdoc_mode_scan *scan, mode_t bits,
                         size_t max_listed, struct cdoc_strings *found);

void cdoc_mode_scan_release(struct cdoc_mode_scan *scan);

/*
 * Store a scan in file path, written to a temporary name and renamed, so a
 * reader sees the whole scan or none.
 */
int cdoc_mode_scan_save(const struct cdoc_mode_scan *scan, const char *path,
                        struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Read a scan stored by cdoc_mode_scan_save. Returns -1 with errno ENOENT
 * when there is none yet. */
int cdoc_mode_scan_load(struct cdoc_mode_scan *scan, const char *path,
                        struct cdoc_err *err)
    __attribute__((warn_unused_result));

/*
 * cdoc_scan_mode_bits for S_ISUID | S_ISGID, done once for all the
 * processes that pass the same share_dir: the first to take an flock on
 * share_dir/mode-scan.lock walks and stores the scan there, and the others
 * wait for the lock and read it. A process killed mid-walk drops the lock
 * and stores nothing, so the next one walks. With share_dir NULL it
 * walks alone.
 */
int cdoc_scan_special_bits_shared(const char *dir, const char *share_dir,
                                  struct cdoc_mode_scan *scan,
                                  struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* The paths of the first max_listed regular files with any of the mode
 * bits in mask, from cdoc_scan_mode_bits; *count counts them all. */
int cdoc_find_mode_bits(const char *dir, mode_t mask, size_t max_listed,
                        struct cdoc_strings *found, size_t *count,
                        size_t *unreadable, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Filesystem type of a block device or image read from its superblock with
 * libblkid ("squashfs", "ext4"); the caller frees it. */
int cdoc_blkid_fstype(const char *device, char **fstype, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Size in bytes of the block device with this device number, from
 * <root>/sys/dev/block/MAJOR:MINOR/size (512-byte sectors). */
int cdoc_block_device_bytes(const char *root, unsigned major, unsigned minor,
                            uint64_t *bytes, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* The whole disk a block device belongs to ("vdb" for vdb2, "vdb" for vdb),
 * from <root>/sys/dev/block/MAJOR:MINOR; the caller frees it. */
int cdoc_block_device_disk(const char *root, unsigned major, unsigned minor,
                           char **disk, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/*
 * Prove a directory writable without leaving a name behind: an O_TMPFILE
 * file is created and closed. Returns 0 when writable, -1 with err naming
 * the errno otherwise. Where the filesystem does not support O_TMPFILE,
 * falls back to statvfs(ST_RDONLY) and access(W_OK), and says so in *how.
 */
int cdoc_probe_writable(const char *dir, const char **how,
                        struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* ---- kernel ------------------------------------------------------------- */

enum cdoc_module_loading {
    CDOC_MODULES_NOT_BUILT,  /* finit_module: ENOSYS (CONFIG_MODULES=n) */
    CDOC_MODULES_DISABLED,   /* EPERM and kernel.modules_disabled=1 */
    CDOC_MODULES_ALLOWED,    /* the kernel reached the file descriptor */
    CDOC_MODULES_UNKNOWN,    /* no privilege to tell, or another errno */
};

/* Ask the kernel whether it would load a module, by calling finit_module
 * on an invalid descriptor: nothing is ever loaded. *errno_seen gets the
 * errno the call returned. */
enum cdoc_module_loading cdoc_probe_module_loading(int *errno_seen);

/* The verdict for the errno that finit_module returned: EPERM is read as
 * DISABLED only when <root>/proc/sys/kernel/modules_disabled is 1, since
 * a caller without CAP_SYS_MODULE gets EPERM too. */
enum cdoc_module_loading cdoc_module_loading_from_errno(const char *root,
                                                        int errno_seen);

/* Seconds since the epoch from <root>/sys/class/rtc/rtc0/since_epoch. */
int cdoc_rtc_seconds(const char *root, double *seconds, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* ---- running a tool ----------------------------------------------------- */

struct cdoc_exec_result {
    bool started;      /* false when the program was not found or not run */
    bool timed_out;    /* killed at the time limit */
    int exit_status;   /* valid when the program exited */
    int term_signal;   /* non-zero when a signal ended it */
    struct cdoc_buf output; /* stdout and stderr, interleaved, capped */
    bool output_truncated;
};

/*
 * Run argv[0] (looked up in PATH) with argv, no shell, stdin from
 * /dev/null, stdout and stderr captured together (at most output_max
 * bytes kept), in its own process group, killed with SIGKILL after
 * timeout_seconds (which must be above zero). Returns -1 only when the
 * doctor itself could not fork or pipe. A program that cannot be run
 * (missing, not executable, no "#!" line) returns 0 with started false,
 * and err names the program and the reason. Output still in the pipe when
 * the program exits is kept, but background children that it left with
 * the pipe open are not waited for.
 */
int cdoc_exec(const char *const argv[], double timeout_seconds,
              size_t output_max, struct cdoc_exec_result *result,
              struct cdoc_err *err)
    __attribute__((warn_unused_result));
void cdoc_exec_result_release(struct cdoc_exec_result *result);

#endif
