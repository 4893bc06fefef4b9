# shellcheck shell=bash
# The lab's network outside the guest, for tests/lab/lab.sh (sourced, not
# run): a lab CA and leaf certificates minted with the openssl CLI, and an
# nginx on the host in place of Capsem's TLS-intercepting proxy.
#
# The guest's capsem-net-proxy (socat in the lab) carries each connection
# from 127.0.0.1:10443 to nginx's Unix socket in NET_VSOCK_DIR, which
# ns-setup.sh binds into the guest at /run/capsem-vsock, where a real guest
# has its vsock to the host. nginx completes TLS with a leaf of the lab CA
# for each allowed domain and proxies the request to an origin server, a
# second nginx server on a Unix socket that only the host can reach. Every
# other name gets the default server's certificate and 403. nginx listens on no
# TCP port.

NET_DIR=$LAB_DIR/net
NET_VSOCK_DIR=$LAB_DIR/vsock
NET_PROXY_SOCKET=proxy.sock
NET_CA_CONFIG=$LAB_SCRIPT_DIR/certs.cnf
# The size of the throughput fixture: 100 MiB, the size that the file
# name in the profile's throughput_url (100MB.bin) gives.
NET_FIXTURE_BYTES=104857600
# Certificates live as long as one lab, or one matrix run for a cached CA.
NET_CERT_DAYS=7

# Filled by net_read_profile.
NET_ALLOWED=()
NET_DENIED=()
NET_THROUGHPUT_HOST=""
NET_THROUGHPUT_PATH=""

# Profile names go into nginx's configuration and into file names, so only
# plain lower-case DNS names pass.
net_valid_domain() {
    [[ $1 =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$ ]]
}

# Read network.allowed_domains, denied_domains and throughput_url of the
# profile into NET_ALLOWED, NET_DENIED, NET_THROUGHPUT_HOST and
# NET_THROUGHPUT_PATH.
net_read_profile() {
    local profile=$1 kind value url="" fields
    NET_ALLOWED=()
    NET_DENIED=()
    # A command substitution, not a process substitution: under lab.sh's
    # ERR trap, a failing process substitution would start the clean-up in
    # a subshell while up goes on.
    fields=$("$ROOTFS_PYTHON" - "$profile" <<'EOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    network = json.load(handle).get("network", {})
for kind, key in (("allowed", "allowed_domains"), ("denied", "denied_domains")):
    for name in network.get(key, []):
        print(kind, name)
print("throughput", network.get("throughput_url", ""))
EOF
    ) || die "cannot read the network section of $profile; check that it is valid JSON"
    while read -r kind value; do
        case $kind in
        allowed) NET_ALLOWED+=("$value") ;;
        denied) NET_DENIED+=("$value") ;;
        throughput) url=$value ;;
        esac
    done <<<"$fields"
    for value in "${NET_ALLOWED[@]}" "${NET_DENIED[@]}"; do
        net_valid_domain "$value" ||
            die "$profile: '$value' is not a lower-case DNS name; fix network.allowed_domains or network.denied_domains"
    done
    [ "${#NET_ALLOWED[@]}" -gt 0 ] ||
        die "$profile: network.allowed_domains is empty; the lab serves HTTPS only for allowed domains"
    [ "${#NET_DENIED[@]}" -gt 0 ] ||
        die "$profile: network.denied_domains is empty; the lab's faults need a denied domain"
    if ! [[ $url =~ ^https://([a-z0-9.-]+)(/[A-Za-z0-9._/-]+)$ ]] ||
        [[ ${BASH_REMATCH[2]} == *..* ]]; then
        die "$profile: network.throughput_url '$url' is not https://HOST/PATH with a plain path; set it to a URL such as https://github.com/capsem-doctor/100MB.bin"
    fi
    NET_THROUGHPUT_HOST=${BASH_REMATCH[1]}
    NET_THROUGHPUT_PATH=${BASH_REMATCH[2]}
    if ! printf '%s\n' "${NET_ALLOWED[@]}" | grep -qxF -- "$NET_THROUGHPUT_HOST"; then
        die "$profile: the host of network.throughput_url, $NET_THROUGHPUT_HOST, is not in network.allowed_domains; the lab serves the download only for an allowed domain"
    fi
}

# Make the lab CA in NET_DIR, or copy it from CACHE when CACHE has one. The
# CA is in the root image, so matrix.sh, which reuses one image for many
# labs, keeps the CA beside the image for as long as the image.
net_make_ca() {
    local cache=$1
    mkdir -m 0700 "$NET_DIR"
    if [ -n "$cache" ] && [ -f "$cache/ca.crt" ] && [ -f "$cache/ca.key" ]; then
        (umask 077 && cp "$cache/ca.crt" "$cache/ca.key" "$NET_DIR/")
        return 0
    fi
    (
        umask 077
        openssl req -x509 -config "$NET_CA_CONFIG" -extensions ca \
            -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
            -keyout "$NET_DIR/ca.key" -out "$NET_DIR/ca.crt" \
            -subj "/CN=capsem-doctor lab CA" -days "$NET_CERT_DAYS" 2>/dev/null
    ) || die "openssl could not make the lab CA in $NET_DIR; check that the openssl package is installed"
    if [ -n "$cache" ]; then
        (umask 077 && cp "$NET_DIR/ca.crt" "$NET_DIR/ca.key" "$cache/")
    fi
}

# Mint NET_DIR/certs/FILE.crt and FILE.key for the DNS name NAME, signed by
# the lab CA. Keys are readable by root only.
net_mint_leaf() {
    local file=$1 name=$2 issuer=${3:-lab-ca} signer=()
    # proxy-foreign-ca: the leaf signs itself, so it is not the lab CA's.
    if [ "$issuer" = lab-ca ]; then
        signer=(-CA "$NET_DIR/ca.crt" -CAkey "$NET_DIR/ca.key")
    fi
    (
        umask 077
        mkdir -p "$NET_DIR/certs"
        openssl req -x509 -config "$NET_CA_CONFIG" -extensions leaf \
            "${signer[@]}" \
            -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
            -keyout "$NET_DIR/certs/$file.key" \
            -out "$NET_DIR/certs/$file.crt" -subj "/CN=$name" \
            -addext "subjectAltName=DNS:$name" -days "$NET_CERT_DAYS" \
            2>/dev/null
    ) || die "openssl could not mint a certificate for $name in $NET_DIR/certs"
}

# The origin's content: a small page at / and the throughput fixture. The
# fixture is sparse apart from its first line, so it costs one write and
# no disk space.
net_write_fixtures() {
    local origin=$NET_DIR/origin fixture
    fixture=$origin$NET_THROUGHPUT_PATH
    mkdir -p "$origin" "$(dirname "$fixture")"
    printf '%s\n' '<!doctype html>' '<title>capsem-doctor lab origin</title>' \
        '<p>Served by the capsem-doctor lab origin through the lab proxy.</p>' \
        >"$origin/index.html"
    printf 'capsem-doctor lab download fixture, %d bytes\n' \
        "$NET_FIXTURE_BYTES" >"$fixture"
    truncate -s "$NET_FIXTURE_BYTES" "$fixture"
}

# Print the nginx server block that serves NAME through the proxy, with its
# leaf certificate. ACTION is "proxy" (to the origin), "deny" (403) or
# "close" (nginx's 444: the connection closes with no response).
# TLS is " ssl", or empty when the proxy speaks plain HTTP (proxy-no-tls).
net_server_block() {
    local name=$1 action=$2 tls=$3
    cat <<EOF

    server {
        listen unix:$NET_VSOCK_DIR/$NET_PROXY_SOCKET$tls;
        server_name $name;
        ssl_certificate $NET_DIR/certs/$name.crt;
        ssl_certificate_key $NET_DIR/certs/$name.key;
EOF
    if [ "$action" = deny ]; then
        echo "        return 403;"
    elif [ "$action" = close ]; then
        echo "        return 444;"
    else
        # nginx picks the certificate by SNI but the server by Host, so a
        # request whose Host differs from its SNI name is rejected here.
        cat <<EOF
        if (\$ssl_server_name != "$name") {
            return 421;
        }
        location / {
            proxy_pass http://unix:$NET_DIR/origin.sock;
            proxy_set_header Host \$host;
            proxy_http_version 1.1;
            # Stream large bodies instead of spooling them to temp files.
            proxy_buffering off;
        }
EOF
    fi
    echo "    }"
}

# Write NET_DIR/nginx.conf for FAULT. Every path is under LAB_DIR, so this
# nginx shares nothing with the system's nginx service.
net_write_nginx_conf() {
    local fault=$1 name action tls=" ssl" rate=0 refusal="return 403;"
    if [ "$fault" = proxy-no-tls ]; then
        tls=""
    fi
    # 15 MB/s, under the lab profile's minimum of 20 MB/s: the 100 MB
    # download then takes about 7 s.
    if [ "$fault" = throughput-slow ]; then
        rate=15m
    fi
    if [ "$fault" = proxy-allows-everything ]; then
        refusal="location / { proxy_pass http://unix:$NET_DIR/origin.sock; }"
    fi
    {
        cat <<EOF
# nginx of one capsem-doctor lab, written by tests/lab/net.sh at up and
# removed by down.
daemon off;
# Workers run as root because the fixtures and the origin's socket are in
# the lab's state directory, which only root may enter.
user root root;
worker_processes 2;
pid $NET_DIR/nginx.pid;
error_log $NET_DIR/error.log notice;

events {
    worker_connections 256;
}

http {
    access_log $NET_DIR/access.log;
    client_body_temp_path $NET_DIR/temp/body;
    proxy_temp_path $NET_DIR/temp/proxy;
    fastcgi_temp_path $NET_DIR/temp/fastcgi;
    uwsgi_temp_path $NET_DIR/temp/uwsgi;
    scgi_temp_path $NET_DIR/temp/scgi;
    types {
        text/html html;
        application/octet-stream bin;
    }
    default_type application/octet-stream;
    sendfile on;
    ssl_protocols TLSv1.2 TLSv1.3;

    # Names without a server block of their own: TLS completes with the
    # default certificate, and every request, whatever its method, gets 403.
    server {
        listen unix:$NET_VSOCK_DIR/$NET_PROXY_SOCKET$tls default_server;
        ssl_certificate $NET_DIR/certs/default.crt;
        ssl_certificate_key $NET_DIR/certs/default.key;
        $refusal
    }
EOF
        for name in "${NET_ALLOWED[@]}"; do
            action=proxy
            if [ "$fault" = allowed-domain-denied ] && [ "$name" = "${NET_ALLOWED[0]}" ]; then
                action=deny
            fi
            if [ "$fault" = proxy-closes-after-tls ]; then
                action=close
            fi
            net_server_block "$name" "$action" "$tls"
        done
        if [ "$fault" = denied-domain-allowed ]; then
            net_server_block "${NET_DENIED[0]}" proxy "$tls"
        fi
        cat <<EOF

    # The origin: plain HTTP on a socket that the guest cannot see.
    server {
        listen unix:$NET_DIR/origin.sock default_server;
        root $NET_DIR/origin;
        limit_rate $rate;
    }
}
EOF
    } >"$NET_DIR/nginx.conf"
}

# Start nginx in the background, record its PID and start time, and wait
# until it listens on the proxy socket.
net_start_nginx() {
    local pid tries=0
    mkdir -p "$NET_DIR/temp"
    (
        close_inherited_descriptors
        exec setsid nginx -e "$NET_DIR/error.log" -p "$NET_DIR/" \
            -c "$NET_DIR/nginx.conf"
    ) </dev/null >>"$NET_DIR/error.log" 2>&1 &
    pid=$!
    echo "$pid" >"$LAB_DIR/nginx.pid"
    process_start_time "$pid" >"$LAB_DIR/nginx.start" || true
    while [ ! -S "$NET_VSOCK_DIR/$NET_PROXY_SOCKET" ]; do
        if [ ! -d "/proc/$pid" ] || [ "$tries" -ge 200 ]; then
            log "nginx did not start listening on $NET_VSOCK_DIR/$NET_PROXY_SOCKET; its error log:"
            sed 's/^/  /' "$NET_DIR/error.log" >&2 || true
            return 1
        fi
        sleep 0.01
        tries=$((tries + 1))
    done
}

# Build the host side of the lab's network for FAULT: leaf certificates,
# fixtures, nginx's configuration, and nginx itself unless the fault
# stops it. The CA must exist already (net_make_ca).
net_up() {
    local fault=$1 name
    # A tmpfs of its own, so that the guest's mount table shows the socket
    # directory as tmpfs "capsem-lab-vsock" and not as a directory of the
    # host's disk, whose device name the guest's /dev/vda could share.
    mkdir -m 0755 "$NET_VSOCK_DIR"
    mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev,noexec \
        capsem-lab-vsock "$NET_VSOCK_DIR"
    net_mint_leaf default "capsem-lab.invalid"
    for name in "${NET_ALLOWED[@]}"; do
        if [ "$fault" = proxy-foreign-ca ]; then
            net_mint_leaf "$name" "$name" self
        else
            net_mint_leaf "$name" "$name"
        fi
    done
    if [ "$fault" = denied-domain-allowed ]; then
        net_mint_leaf "${NET_DENIED[0]}" "${NET_DENIED[0]}"
    fi
    net_write_fixtures
    net_write_nginx_conf "$fault"
    if [ "$fault" != proxy-stopped ]; then
        net_start_nginx
    fi
}

# True when the nginx master that up started still runs.
net_nginx_running() {
    local pid start
    pid=$(state_get nginx.pid)
    start=$(state_get nginx.start)
    [ -n "$pid" ] && [ -n "$start" ] &&
        [ "$(process_start_time "$pid" || true)" = "$start" ]
}

# Stop the lab's nginx if it runs, and unmount the socket directory.
# SIGTERM is nginx's fast shutdown: the master stops its workers and
# removes its Unix sockets.
net_down() {
    local pid
    pid=$(state_get nginx.pid)
    if net_nginx_running; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid"; then
            # nginx is the leader of its own process group (setsid), so
            # this also ends workers that a killed master leaves behind.
            log "nginx $pid did not stop after SIGTERM; sending SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || true
            wait_gone "$pid" || log "nginx $pid is still running after SIGKILL"
        fi
    fi
    if mountpoint -q "$NET_VSOCK_DIR" 2>/dev/null; then
        umount "$NET_VSOCK_DIR" || log "cannot unmount $NET_VSOCK_DIR"
    fi
}
