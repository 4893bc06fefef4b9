/* SPDX-License-Identifier: MIT */
/* The table of functions that libcapsem-doctor-net.so exports. */
#include "net/internal.h"

static const struct cdoc_net library = {
    .abi = CDOC_NET_ABI,
    .dns_query = cdoc__dns_query,
    .dns_answer_release = cdoc__dns_answer_release,
    .tls_probe = cdoc__tls_probe,
    .tls_result_release = cdoc__tls_result_release,
    .http_request = cdoc__http_request,
    .http_result_release = cdoc__http_result_release,
    .ca_read = cdoc__ca_read,
    .ca_info_release = cdoc__ca_info_release,
    .bundle_contains = cdoc__bundle_contains,
    .tls_client_hello = cdoc__tls_client_hello,
};

__attribute__((visibility("default")))
const struct cdoc_net *cdoc_net_library(void)
{
    return &library;
}
