#!/bin/sh
# Run the split audit on Kubernetes: the Indexed Job (k8s-job.yaml), then the merge
# (k8s-merge.yaml). Exit status: the merge pod's (audit's on the whole snapshot).
set -eu
cd "$(dirname "$0")"
kubectl apply -f k8s-job.yaml
kubectl wait --for=condition=complete --timeout=24h job/sanso-parts
kubectl apply -f k8s-merge.yaml
kubectl wait --for=condition=complete --timeout=1h job/sanso-merge || true
kubectl logs job/sanso-merge
code=$(kubectl get pod -l job-name=sanso-merge -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}')
exit "$code"
