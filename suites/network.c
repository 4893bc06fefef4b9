/* SPDX-License-Identifier: MIT */
/*
 * Network & MITM proxy: the spec's test_network.py, in its layered order
 * from plumbing up to throughput. Each check names its layer, so a broken
 * layer is reported once and the checks above it are reported as not run
 * (see CDOC_LAYERED_CHECK).
 *
 * Every connection goes to the sentinel address, and only after the
 * sandbox's own loopback resolver has resolved a name to it and the
 * sentinel is assigned to an interface here. Run on a machine that is not
 * a sandbox, the doctor must not reach out of it.
 */
#include "net/net.h"
#include "probe/netpath.h"
#include "probe/probe.h"
#include "probe/sockets.h"
#include "runner/check.h"
#include "suite_helpers.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#define PLUMBING 1, "plumbing"
#define PROXY 2, "proxy"
#define TLS 3, "TLS"
#define HTTP 4, "HTTP"
#define CA_TRUST 5, "CA trust"
#define POLICY 6, "policy"
#define THROUGHPUT 7, "throughput"

#define NETWORK_CHECK(name, layer, desc, ...) \
    CDOC_LAYERED_CHECK(network, name, layer, desc, ##__VA_ARGS__)

/* Reply bytes the bridge check waits for: a TLS record header. A server
 * that sent its ServerHello waits for the client's next flight, so
 * reading more would only wait out the time limit. */
#define RAW_REPLY_MAX 5

static const struct cdoc_profile_network *network(void)
{
    return &cdoc_check_profile()->network;
}

/* Return the first allowed domain, which the checks below the policy
 * layer use as their probe. Skip when the profile allows none. */
static const char *probe_domain(void)
{
    const struct cdoc_strings *allowed = &network()->allowed_domains;

    if (allowed->count == 0)
        cdoc_check_skip("the profile allows no domain "
                        "(network.allowed_domains is empty)");
    return allowed->items[0];
}

/* Return the sentinel when it is an address of this machine, and fail
 * otherwise. The checks that connect to it without a name use this. */
static const char *local_sentinel(void)
{
    const char *sentinel = network()->sentinel_address;

    if (!cdoc_address_is_local(sentinel))
        cdoc_check_fail("the sentinel %s is not assigned to any interface "
                        "here, so nothing can carry traffic to the proxy",
                        sentinel);
    return sentinel;
}

/* Make a name no profile lists: "capsem-doctor-<16 hex digits>.example". */
static char *random_domain(void)
{
    unsigned char bytes[8];
    char hex[sizeof(bytes) * 2 + 1];

    if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
        cdoc_check_error("cannot read random bytes for a test domain");
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    return cdoc_xasprintf("capsem-doctor-%s.example", hex);
}

/* ---- plumbing ----------------------------------------------------------- */

NETWORK_CHECK(test_dummy0_has_ip, PLUMBING, "dummy0 has 10.0.0.1")
{
    const struct cdoc_profile_network *net = network();
    struct cdoc_interfaces ifaces;
    struct cdoc_strings addresses = {0};
    struct cdoc_err err;
    char *listed;

    suite_read_interfaces(&ifaces);
    if (!cdoc_interfaces_find(&ifaces, net->dummy_interface))
        cdoc_check_fail("there is no %s interface to hold the sentinel %s",
                        net->dummy_interface, net->sentinel_address);
    cdoc_interfaces_release(&ifaces);
    if (cdoc_interface_ipv4_addresses(net->dummy_interface, &addresses,
                                      &err) < 0)
        cdoc_check_error("cannot read the addresses of %s: %s",
                         net->dummy_interface, err.msg);
    listed = suite_join(&addresses, ", ");
    cdoc_check_property("addresses", "%s", listed);
    if (!cdoc_strings_contains(&addresses, net->sentinel_address))
        cdoc_check_fail("%s does not hold the sentinel %s (it has: %s)",
                        net->dummy_interface, net->sentinel_address,
                        *listed ? listed : "no IPv4 address");
    free(listed);
    cdoc_strings_release(&addresses);
}

/* Ask the profile's resolver directly, but only when it is an address of
 * this machine: a query to any other server would leave the sandbox. */
static void query_resolver(const char *name, struct cdoc_dns_answer *answer)
{
    const struct cdoc_profile_network *net = network();
    const struct cdoc_net *lib = suite_net();
    struct cdoc_err err;

    suite_expect_resolv_file();
    if (!cdoc_address_is_loopback(net->resolver_address) &&
        !cdoc_address_is_local(net->resolver_address))
        cdoc_check_fail("the resolver %s (network.resolver_address) is not "
                        "an address of this machine; the doctor sends it no "
                        "query", net->resolver_address);
    if (lib->dns_query(net->resolver_address, 53, name,
                               net->connect_timeout_seconds, answer,
                               &err) < 0)
        cdoc_check_error("cannot query %s:53: %s", net->resolver_address,
                         err.msg);
}

NETWORK_CHECK(test_dnsmasq_responds, PLUMBING, "DNS on 127.0.0.1:53 works")
{
    const char *name = probe_domain();
    struct cdoc_dns_answer answer;

    query_resolver(name, &answer);
    cdoc_check_property("seconds", "%.3f", answer.seconds);
    if (!answer.answered)
        cdoc_check_fail("no DNS answer from %s:53 for %s: %s",
                        network()->resolver_address, name,
                        answer.error ? answer.error : "no reply");
    cdoc_check_property("rcode", "%d", answer.rcode);
    suite_net()->dns_answer_release(&answer);
}

/* Collect the names that must all resolve to the sentinel: the allowed,
 * denied and AI provider domains, and a random one that no list names. */
static void names_to_resolve(struct cdoc_strings *names)
{
    const struct cdoc_profile_network *net = network();
    char *random_name = random_domain();

    cdoc_strings_copy(names, &net->allowed_domains);
    for (size_t i = 0; i < net->denied_domains.count; i++)
        cdoc_strings_append(names, net->denied_domains.items[i]);
    for (size_t i = 0; i < net->ai_provider_domains.count; i++)
        cdoc_strings_append(names, net->ai_provider_domains.items[i]);
    cdoc_strings_append(names, random_name);
    free(random_name);
}

NETWORK_CHECK(test_dns_all_resolve_to_local, PLUMBING,
              "All DNS queries -> 10.0.0.1")
{
    const char *sentinel = network()->sentinel_address;
    struct cdoc_strings names = {0};
    struct cdoc_buf wrong = {0};

    names_to_resolve(&names);
    cdoc_buf_puts(&wrong, "");
    for (size_t i = 0; i < names.count; i++) {
        struct cdoc_strings addresses = {0};
        char *listed;

        suite_resolve_locally(names.items[i], &addresses);
        listed = suite_join(&addresses, ", ");
        if (addresses.count != 1 || strcmp(addresses.items[0], sentinel))
            cdoc_buf_printf(&wrong, "%s%s -> %s", wrong.len ? "; " : "",
                            names.items[i], *listed ? listed : "nothing");
        free(listed);
        cdoc_strings_release(&addresses);
    }
    cdoc_check_property("names", "%zu", names.count);
    if (wrong.len)
        cdoc_check_fail("names resolve elsewhere than the sentinel %s: %s",
                        sentinel, wrong.data);
    cdoc_buf_release(&wrong);
    cdoc_strings_release(&names);
}

NETWORK_CHECK(test_iptables_redirect_443_to_10443, PLUMBING,
              "iptables REDIRECT rule")
{
    suite_expect_https_redirect();
}

/* ---- proxy -------------------------------------------------------------- */

/* Connect to address:port and fail, starting the message with fault,
 * unless the connection is accepted. */
static void expect_accepted(const char *address, int port, const char *fault)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;

    if (cdoc_tcp_probe(address, port, network()->connect_timeout_seconds,
                       &tcp, &err) < 0)
        cdoc_check_error("%s", err.msg);
    cdoc_check_property("seconds", "%.3f", tcp.seconds);
    if (tcp.outcome != CDOC_TCP_CONNECTED)
        cdoc_check_fail("%s: TCP to %s port %d %s (%s)", fault, address, port,
                        cdoc_tcp_outcome_name(tcp.outcome),
                        strerror(tcp.error));
}

NETWORK_CHECK(test_net_proxy_listening, PROXY,
              "TCP accepted on 127.0.0.1:10443")
{
    expect_accepted("127.0.0.1", network()->proxy_port,
                    "nothing accepts connections for capsem-net-proxy");
}

NETWORK_CHECK(test_tcp_443_reaches_proxy, PROXY,
              "443 redirected to net-proxy")
{
    expect_accepted(local_sentinel(), network()->https_port,
                    "the HTTPS port of the sentinel does not reach the "
                    "proxy");
}

NETWORK_CHECK(test_vsock_bridge_delivers_bytes, PROXY,
              "Raw bytes through proxy")
{
    /* A TLS server or intercepting proxy replies to a ClientHello with a
     * ServerHello or an alert. Bytes coming back over a plain socket
     * prove that the bridge carries bytes both ways. A bridge with
     * nothing behind it closes or stays silent. */
    const struct cdoc_profile_network *net = network();
    const struct cdoc_net *lib = suite_net();
    const char *sentinel = local_sentinel();
    struct cdoc_tcp_result tcp;
    unsigned char *hello;
    size_t hello_len;
    struct cdoc_err err;

    if (lib->tls_client_hello(probe_domain(), &hello, &hello_len, &err) < 0)
        cdoc_check_error("%s", err.msg);
    if (cdoc_tcp_exchange(sentinel, net->https_port, hello, hello_len,
                          RAW_REPLY_MAX, net->connect_timeout_seconds, &tcp,
                          &err) < 0)
        cdoc_check_error("%s", err.msg);
    if (tcp.outcome != CDOC_TCP_CONNECTED)
        cdoc_check_fail("TCP to %s port %d %s (%s)", sentinel,
                        net->https_port, cdoc_tcp_outcome_name(tcp.outcome),
                        strerror(tcp.error));
    cdoc_check_property("sent_bytes", "%zu", hello_len);
    cdoc_check_property("reply_bytes", "%zu", tcp.reply_len);
    if (tcp.reply_len == 0 && tcp.seconds < net->connect_timeout_seconds)
        cdoc_check_fail("the proxy at %s port %d took a %zu-byte TLS "
                        "ClientHello and closed the connection after "
                        "%.2f s without a byte back: the bridge behind it "
                        "carries no bytes", sentinel, net->https_port,
                        hello_len, tcp.seconds);
    if (tcp.reply_len == 0)
        cdoc_check_fail("the proxy at %s port %d took a %zu-byte TLS "
                        "ClientHello and sent nothing back within %g s: the "
                        "bridge behind it carries no bytes", sentinel,
                        net->https_port, hello_len,
                        net->connect_timeout_seconds);
    free(hello);
    cdoc_tcp_result_release(&tcp);
}

/* ---- TLS ---------------------------------------------------------------- */

static void tls_probe(const char *ca_file, struct cdoc_tls_result *tls)
{
    const struct cdoc_profile_network *net = network();
    const struct cdoc_net *lib = suite_net();
    const char *domain = probe_domain();
    char *address = suite_sentinel_for(domain);
    struct cdoc_err err;

    if (lib->tls_probe(domain, address, net->https_port, ca_file,
                               net->connect_timeout_seconds, tls, &err) < 0)
        cdoc_check_error("%s", err.msg);
    cdoc_check_property("domain", "%s", domain);
    if (!tls->handshake_done)
        cdoc_check_fail("no TLS handshake with %s through %s port %d: %s",
                        domain, address, net->https_port,
                        tls->error ? tls->error : "no answer");
    free(address);
}

NETWORK_CHECK(test_tls_handshake_completes, TLS, "TLS handshake via MITM")
{
    struct cdoc_tls_result tls;

    tls_probe(NULL, &tls);
    cdoc_check_property("protocol", "%s", tls.protocol ? tls.protocol : "");
    cdoc_check_property("subject", "%s", tls.subject ? tls.subject : "");
    suite_net()->tls_result_release(&tls);
}

NETWORK_CHECK(test_tls_cert_from_capsem_ca, TLS, "Cert signed by Capsem CA")
{
    const char *ca = network()->ca_cert;
    char *ca_path = suite_path(ca);
    struct cdoc_tls_result tls;

    tls_probe(ca_path, &tls);
    cdoc_check_property("issuer", "%s", tls.issuer ? tls.issuer : "");
    if (!tls.issued_by_ca)
        cdoc_check_fail("the proxy's certificate for %s was not issued by "
                        "the CA in %s: its issuer is %s", probe_domain(), ca,
                        tls.issuer ? tls.issuer : "unknown");
    suite_net()->tls_result_release(&tls);
    free(ca_path);
}

/* ---- HTTP --------------------------------------------------------------- */

NETWORK_CHECK(test_curl_https_with_skip_verify, HTTP,
              "curl -k gets HTTP response")
{
    const char *domain = probe_domain();
    struct cdoc_http_result http;

    suite_https_request("GET", domain, "/", false, NULL,
                  network()->connect_timeout_seconds, &http);
    cdoc_check_property("http_status", "%ld", http.status);
    if (http.status == 0)
        cdoc_check_fail("no HTTP response from %s through the proxy "
                        "(without verification): %s", domain,
                        http.error ? http.error : "no answer");
    suite_net()->http_result_release(&http);
}

/* ---- CA trust ----------------------------------------------------------- */

NETWORK_CHECK(test_mitm_ca_cert_file_exists, CA_TRUST, "CA cert file present")
{
    const char *ca = network()->ca_cert;
    char *ca_path = suite_path(ca);
    struct cdoc_ca_info info;
    struct cdoc_err err;

    if (suite_net()->ca_read(ca_path, &info, &err) < 0)
        cdoc_check_fail("%s", err.msg);
    cdoc_check_property("subject", "%s", info.subject);
    if (!info.is_ca)
        cdoc_check_fail("%s holds %s, which is not a CA certificate "
                        "(basicConstraints CA:TRUE is missing)", ca,
                        info.subject);
    if (info.expired || info.not_yet_valid)
        cdoc_check_fail("the CA certificate in %s (%s) is %s", ca,
                        info.subject,
                        info.expired ? "expired" : "not valid yet");
    suite_net()->ca_info_release(&info);
    free(ca_path);
}

/* Fail unless the PEM bundle at path (bundle_name in messages) contains
 * the profile's CA. A bundle that cannot be read fails too, because the
 * trust it should carry is missing. */
static void expect_ca_in_bundle(const char *path, const char *bundle_name)
{
    const char *ca = network()->ca_cert;
    char *ca_path = suite_path(ca);
    struct cdoc_bundle_match match;
    struct cdoc_err err;

    if (suite_net()->bundle_contains(path, ca_path, &match, &err) < 0)
        cdoc_check_fail("%s cannot hold the CA: %s", bundle_name, err.msg);
    if (!match.found)
        cdoc_check_fail("%s %s does not contain the CA of %s (%zu "
                        "certificates read)", bundle_name, path, ca,
                        match.certificates);
    free(ca_path);
}

NETWORK_CHECK(test_mitm_ca_in_system_bundle, CA_TRUST,
              "CA in system trust store")
{
    char *bundle = suite_path(network()->system_ca_bundle);

    expect_ca_in_bundle(bundle, "the system bundle");
    free(bundle);
}

/* End with an error when a CA variable names something other than a
 * regular file, because python3 reads SSL_CERT_FILE at start-up and would
 * block on a FIFO. */
static void expect_ca_vars_readable(void)
{
    const struct cdoc_strings *vars = &network()->ca_env_vars;

    for (size_t i = 0; i < vars->count; i++) {
        const char *value = getenv(vars->items[i]);
        struct stat st;

        if (value && *value && stat(value, &st) == 0 && !S_ISREG(st.st_mode))
            cdoc_check_error("%s names %s, which is not a regular file; "
                             "python3 would read it as its CA bundle",
                             vars->items[i], value);
    }
}

/* Run the guest's python3 with args. End with an error when it cannot
 * run at all, since that is a missing tool, not a broken promise. */
static void run_python(const char *const *args, size_t count,
                       struct cdoc_exec_result *run)
{
    const char *argv[8] = {"python3"};
    struct cdoc_err err;

    expect_ca_vars_readable();
    for (size_t i = 0; i < count && i + 2 < sizeof(argv) / sizeof(*argv);
         i++)
        argv[i + 1] = args[i];
    if (cdoc_exec(argv, network()->connect_timeout_seconds + 10.0,
                  64 * 1024, run, &err) < 0)
        cdoc_check_error("cannot run python3: %s", err.msg);
    if (!run->started)
        cdoc_check_error("python3 cannot run: %s", err.msg);
    cdoc_check_output("python3", run->output.data, run->output.len);
    if (run->timed_out)
        cdoc_check_error("python3 did not finish within %g s",
                         network()->connect_timeout_seconds + 10.0);
}

/* Return the last non-empty line of text (Python's exception line), or
 * "no output". The caller frees it. */
static char *last_line(const char *text)
{
    const char *end, *start;

    if (!text)
        return cdoc_xstrdup("no output");
    end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    start = end;
    while (start > text && start[-1] != '\n')
        start--;
    if (start == end)
        return cdoc_xstrdup("no output");
    return cdoc_xasprintf("%.*s", (int)(end - start), start);
}

/* The python3 checks give python3 connect_timeout_seconds + 10 s and
 * declare a longer limit of their own, so a hung python3 is named. */
NETWORK_CHECK(test_certifi_includes_capsem_ca, CA_TRUST,
              "CA in Python certifi", .timeout = 30)
{
    static const char *const args[] = {
        "-c", "import certifi, sys; sys.stdout.write(certifi.where())"};
    struct cdoc_exec_result run;
    char *where;

    run_python(args, 2, &run);
    if (run.exit_status != 0)
        cdoc_check_fail("python3 cannot import certifi (exit %d): %s",
                        run.exit_status,
                        run.output.data ? run.output.data : "");
    where = cdoc_xstrdup(run.output.data ? run.output.data : "");
    cdoc_check_property("certifi_bundle", "%s", where);
    if (where[0] != '/')
        cdoc_check_fail("certifi.where() gave '%s', not an absolute path",
                        where);
    expect_ca_in_bundle(where, "certifi's bundle");
    free(where);
    cdoc_exec_result_release(&run);
}

NETWORK_CHECK(test_curl_allowed_domain_ca_trusted, CA_TRUST,
              "curl without -k succeeds")
{
    const struct cdoc_strings *allowed = &network()->allowed_domains;

    probe_domain();
    for (size_t i = 0; i < allowed->count; i++) {
        struct cdoc_http_result http;

        suite_https_request("GET", allowed->items[i], "/", true, NULL,
                      network()->connect_timeout_seconds, &http);
        if (!http.tls_done || http.status == 0)
            cdoc_check_fail("HTTPS to %s is not trusted with the system's "
                            "CA store: %s", allowed->items[i],
                            http.error ? http.error : "no answer");
        if (http.status == 403)
            cdoc_check_fail("allowed domain %s answered 403: the proxy "
                            "denies it", allowed->items[i]);
        suite_net()->http_result_release(&http);
    }
    cdoc_check_property("domains", "%zu", allowed->count);
}

/* The request goes through urllib with Python's default context. It is
 * pinned to the sentinel by replacing the host that socket.getaddrinfo
 * looks up, so Python resolves nothing itself while SNI, Host and the
 * certificate check still use the domain. */
static const char urllib_script[] =
    "import socket, sys, urllib.request\n"
    "domain, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
    "resolve = socket.getaddrinfo\n"
    "def pinned(host, *rest, **named):\n"
    "    if host != domain:\n"
    "        raise OSError('capsem-doctor: unexpected host ' + str(host))\n"
    "    return resolve(address, *rest, **named)\n"
    "socket.getaddrinfo = pinned\n"
    "url = 'https://%s:%d/' % (domain, port)\n"
    "with urllib.request.urlopen(url, timeout=float(sys.argv[4])) as r:\n"
    "    print(r.status)\n";

NETWORK_CHECK(test_python_urllib_https_trusted, CA_TRUST,
              "Python urllib TLS works", .timeout = 30)
{
    const struct cdoc_profile_network *net = network();
    const char *domain = probe_domain();
    char *address = suite_sentinel_for(domain);
    char *port = cdoc_xasprintf("%d", net->https_port);
    char *timeout = cdoc_xasprintf("%g", net->connect_timeout_seconds);
    const char *args[] = {"-c", urllib_script, domain, address, port,
                          timeout};
    struct cdoc_exec_result run;

    run_python(args, 6, &run);
    if (run.exit_status != 0) {
        char *reason = last_line(run.output.data);

        cdoc_check_fail("python3 urllib could not fetch https://%s/ through "
                        "the proxy (exit %d): %s", domain, run.exit_status,
                        reason);
    }
    cdoc_exec_result_release(&run);
    free(address);
    free(port);
    free(timeout);
}

NETWORK_CHECK(test_ca_env_var_set, CA_TRUST,
              "SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS set")
{
    const struct cdoc_strings *vars = &network()->ca_env_vars;
    struct cdoc_buf unset = {0};

    if (vars->count == 0)
        cdoc_check_skip("the profile names no CA variable "
                        "(network.ca_env_vars is empty)");
    cdoc_buf_puts(&unset, "");
    for (size_t i = 0; i < vars->count; i++) {
        const char *value = getenv(vars->items[i]);

        if (!value || !*value)
            cdoc_buf_printf(&unset, "%s%s", unset.len ? ", " : "",
                            vars->items[i]);
    }
    if (unset.len)
        cdoc_check_fail("not set: %s", unset.data);
    for (size_t i = 0; i < vars->count; i++) {
        char *bundle_name = cdoc_xasprintf("the file in %s",
                                           vars->items[i]);
        const char *value = getenv(vars->items[i]);
        /* A relative value names a file from the working directory, as
         * the programs reading it would. */
        char *path = value[0] == '/' ? suite_path(value)
                                     : cdoc_xstrdup(value);

        cdoc_check_property(vars->items[i], "%s", getenv(vars->items[i]));
        expect_ca_in_bundle(path, bundle_name);
        free(path);
        free(bundle_name);
    }
    cdoc_buf_release(&unset);
}

/* ---- policy ------------------------------------------------------------- */

NETWORK_CHECK(test_denied_domain_rejected, POLICY, "Denied domain -> 403")
{
    const struct cdoc_strings *denied = &network()->denied_domains;

    if (denied->count == 0)
        cdoc_check_skip("the profile denies no domain "
                        "(network.denied_domains is empty)");
    for (size_t i = 0; i < denied->count; i++)
        suite_expect_denied("GET", denied->items[i]);
    cdoc_check_property("domains", "%zu", denied->count);
}

NETWORK_CHECK(test_post_to_random_domain_denied, POLICY,
              "POST to non-allowed domain -> 403")
{
    char *domain = random_domain();

    cdoc_check_property("domain", "%s", domain);
    suite_expect_denied("POST", domain);
    free(domain);
}

NETWORK_CHECK(test_ai_provider_domain_blocked, POLICY,
              "AI provider domains blocked unless allowed")
{
    const struct cdoc_profile_network *net = network();
    size_t checked = 0;

    for (size_t i = 0; i < net->ai_provider_domains.count; i++) {
        const char *domain = net->ai_provider_domains.items[i];

        if (cdoc_strings_contains(&net->allowed_domains, domain))
            continue;
        suite_expect_denied("GET", domain);
        checked++;
    }
    if (checked == 0)
        cdoc_check_skip("every AI provider domain of the profile is also "
                        "allowed, or it lists none");
    cdoc_check_property("domains", "%zu", checked);
}

/* Fail when a TCP connection to the sentinel's port is accepted. The
 * message ends with consequence. */
static void expect_port_closed(int port, const char *consequence)
{
    const char *sentinel = local_sentinel();
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;

    if (cdoc_tcp_probe(sentinel, port, network()->connect_timeout_seconds,
                       &tcp, &err) < 0)
        cdoc_check_error("%s", err.msg);
    cdoc_check_property("outcome", "%s", cdoc_tcp_outcome_name(tcp.outcome));
    if (tcp.outcome == CDOC_TCP_CONNECTED)
        cdoc_check_fail("TCP to %s port %d was accepted: %s", sentinel,
                        port, consequence);
}

NETWORK_CHECK(test_http_port_80_not_proxied, POLICY, "Port 80 not proxied")
{
    expect_port_closed(network()->http_port,
                       "plain HTTP leaves through something other than the "
                       "TLS-intercepting proxy");
}

NETWORK_CHECK(test_non_standard_port_fails, POLICY, "Non-443 ports fail")
{
    expect_port_closed(network()->closed_port,
                       "a port other than HTTPS is open to the guest");
}

/* Return false for an address of this machine, loopback or the
 * unspecified address, in either family. IPv4 written as IPv6
 * (::ffff:a.b.c.d) counts as its IPv4 address. */
static bool outside_address(const char *text)
{
    struct in6_addr v6;
    struct in_addr v4;
    char mapped[INET_ADDRSTRLEN];

    if (inet_pton(AF_INET6, text, &v6) == 1) {
        if (IN6_IS_ADDR_UNSPECIFIED(&v6))
            return false;
        if (IN6_IS_ADDR_V4MAPPED(&v6)) {
            memcpy(&v4, &v6.s6_addr[12], sizeof(v4));
            inet_ntop(AF_INET, &v4, mapped, sizeof(mapped));
            return outside_address(mapped);
        }
    } else if (inet_pton(AF_INET, text, &v4) == 1 &&
               v4.s_addr == htonl(INADDR_ANY)) {
        return false;
    }
    return !cdoc_address_is_local(text) && !cdoc_address_is_loopback(text);
}

NETWORK_CHECK(test_direct_ip_no_route, POLICY, "Direct IP has no route")
{
    const char *ip = network()->direct_ip;
    bool routed;
    int route_errno;
    struct cdoc_err err;

    if (!outside_address(ip))
        cdoc_check_error("network.direct_ip %s is an address of this "
                         "machine or no address at all, which proves "
                         "nothing about routes out; give an address "
                         "outside the sandbox", ip);
    if (cdoc_route_exists(ip, network()->https_port, &routed, &route_errno,
                          &err) < 0)
        cdoc_check_error("network.direct_ip: %s", err.msg);
    if (routed)
        cdoc_check_fail("the kernel has a route to %s: traffic to an "
                        "address, not a name, could leave the sandbox "
                        "without passing the proxy", ip);
    cdoc_check_property("route_error", "%s", strerror(route_errno));
}

/* ---- throughput --------------------------------------------------------- */

NETWORK_CHECK(test_proxy_download_throughput, THROUGHPUT,
              "100MB download above minimum speed", .timeout = 90)
{
    const struct cdoc_profile_network *net = network();
    char *ca_path = suite_path(net->ca_cert);
    struct cdoc_http_result http;
    char *host, *path;

    cdoc_url_split(net->throughput_url, &host, &path);
    suite_https_request("GET", host, path, true, ca_path,
                  net->throughput_timeout_seconds, &http);
    cdoc_check_property("url", "%s", net->throughput_url);
    cdoc_check_property("bytes", "%llu",
                        (unsigned long long)http.body_bytes);
    cdoc_check_property("seconds", "%.3f", http.seconds);
    cdoc_check_property("bytes_per_second", "%.0f", http.bytes_per_second);
    if (http.status == 0)
        cdoc_check_fail("downloading %s through the proxy failed: %s",
                        net->throughput_url,
                        http.error ? http.error : "no answer");
    if (http.status != 200)
        cdoc_check_fail("downloading %s through the proxy gave HTTP %ld, "
                        "not 200; check network.throughput_url against "
                        "what the proxy serves", net->throughput_url,
                        http.status);
    if (http.error)
        cdoc_check_fail("downloading %s stopped after %llu bytes: %s",
                        net->throughput_url,
                        (unsigned long long)http.body_bytes, http.error);
    if (http.bytes_per_second < net->throughput_min_bytes_per_second)
        cdoc_check_fail("%.1f MB/s through the proxy, below the minimum of "
                        "%.1f MB/s (%llu bytes in %.2f s)",
                        http.bytes_per_second / 1e6,
                        net->throughput_min_bytes_per_second / 1e6,
                        (unsigned long long)http.body_bytes, http.seconds);
    suite_net()->http_result_release(&http);
    free(host);
    free(path);
    free(ca_path);
}
