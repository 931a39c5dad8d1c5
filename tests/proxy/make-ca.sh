#!/bin/sh
# Writes a test CA and a server certificate it signed for NAME and any more names (SAN DNS:…) into DIR:
# ca.pem, ca.key, server.pem, server.key, and ca.spki (the base64 SHA-256 of the CA's public key,
# for Chromium's --ignore-certificate-errors-spki-list). Usage: tests/proxy/make-ca.sh DIR [NAME [NAME...]]
set -eu
dir=$1; name=${2:-plenum.test}
[ $# -ge 2 ] && shift 2 || shift 1
san="DNS:$name"
for n in "$@"; do san="$san,DNS:$n"; done
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=plenum test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
	-keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
	-out server.pem 2>/dev/null
openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	openssl base64 -A >server.spki
openssl x509 -in ca.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	openssl base64 -A >ca.spki
rm -f server.csr server.ext ca.srl
