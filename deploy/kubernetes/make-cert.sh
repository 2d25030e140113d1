#!/usr/bin/env bash
# Makes the webhook's TLS material: a private CA, a certificate for
# plimsoll-admission.plimsoll-system.svc signed by it, the Secret holding
# them, and webhook.yaml's caBundle filled in (written to OUT_DIR).
#
#   deploy/kubernetes/make-cert.sh [OUT_DIR]      (default ./plimsoll-admission-tls)
#   kubectl apply -f deploy/kubernetes/namespace.yaml -f OUT_DIR/secret.yaml \
#     -f deploy/kubernetes/configmap.yaml -f deploy/kubernetes/deployment.yaml \
#     -f deploy/kubernetes/service.yaml -f OUT_DIR/webhook.yaml
#
# Needs openssl. The CA key stays in OUT_DIR: keep it safe or delete it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-plimsoll-admission-tls}"
SVC=plimsoll-admission NS=plimsoll-system DAYS="${DAYS:-365}"
mkdir -p "$OUT"
cd "$OUT"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$DAYS" \
  -keyout ca.key -out ca.crt -subj "/CN=plimsoll-admission-ca" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout tls.key -out tls.csr -subj "/CN=$SVC.$NS.svc" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local\n' \
  "$SVC" "$SVC" "$NS" "$SVC" "$NS" "$SVC" "$NS" > san.ext
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" \
  -extfile san.ext -out tls.crt 2>/dev/null
rm -f tls.csr san.ext ca.srl
b64() { base64 < "$1" | tr -d '\n'; }
cat > secret.yaml <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: plimsoll-admission-tls
  namespace: $NS
type: kubernetes.io/tls
data:
  tls.crt: $(b64 tls.crt)
  tls.key: $(b64 tls.key)
YAML
sed "s|caBundle: CA_BUNDLE|caBundle: $(b64 ca.crt)|" "$HERE/webhook.yaml" > webhook.yaml
echo "wrote $OUT/{ca.crt,ca.key,tls.crt,tls.key,secret.yaml,webhook.yaml}"
