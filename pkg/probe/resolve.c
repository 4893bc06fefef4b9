/* SPDX-License-Identifier: MIT */
/* Name resolution through the system's resolver. */
#include "probe/netpath.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int cdoc_resolve_ipv4(const char *name, struct cdoc_strings *addresses,
                      struct cdoc_err *err)
{
    struct addrinfo hints = {.ai_family = AF_INET,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int rc = getaddrinfo(name, NULL, &hints, &list);

    memset(addresses, 0, sizeof(*addresses));
    if (rc != 0)
        return cdoc_errf(err, "cannot resolve %s: %s", name,
                         gai_strerror(rc));

    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        char text[INET_ADDRSTRLEN];
        const struct sockaddr_in *sin = (const void *)ai->ai_addr;

        if (!inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)))
            continue;
        if (cdoc_strings_contains(addresses, text))
            continue;
        cdoc_strings_append(addresses, text);
    }
    freeaddrinfo(list);
    return 0;
}
