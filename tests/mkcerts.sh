#!/bin/sh
# tests/mkcerts.sh DIR - make the TLS material of the test issuer in DIR:
#   ca.pem                              a test CA (EC P-256, valid one day)
#   server.pem, server.key              a server certificate for IP:127.0.0.1
#                                       and DNS:localhost, signed by that CA
#   other-ca.pem                        a second, unrelated CA
#   other-server.pem, other-server.key  a server certificate for the same
#                                       names, signed by the other CA
# Keys are 0600.  Needs the openssl command.  Exit status 0 done, 1 failed.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: mkcerts.sh DIR" >&2
	exit 1
fi
dir=$1
mkdir -p "$dir"
umask 077

# ca NAME: a self-signed CA, NAME.key and NAME.pem.
ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$dir/$1.key" -out "$dir/$1.pem" -days 1 \
	    -subj "/CN=jwt-auth test $1" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    2>"$dir/openssl.log"
}

# server NAME CA: NAME.key and NAME.pem, a server certificate signed by CA.
server() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$dir/$1.key" -out "$dir/$1.csr" \
	    -subj "/CN=127.0.0.1" 2>"$dir/openssl.log"
	cat >"$dir/$1.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
EOF
	openssl x509 -req -in "$dir/$1.csr" -CA "$dir/$2.pem" \
	    -CAkey "$dir/$2.key" -CAcreateserial -out "$dir/$1.pem" -days 1 \
	    -extfile "$dir/$1.ext" 2>"$dir/openssl.log"
	rm -f "$dir/$1.csr" "$dir/$1.ext"
}

ca ca
server server ca
ca other-ca
server other-server other-ca
rm -f "$dir/openssl.log" "$dir"/*.srl
chmod 0600 "$dir"/*.key
chmod 0644 "$dir"/*.pem
