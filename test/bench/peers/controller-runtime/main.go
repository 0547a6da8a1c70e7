// Command controller-runtime-widget is the benchmark's peer: the Widget
// webhook as a kubebuilder project would write it with controller-runtime's
// webhook server, a CustomDefaulter on /mutate and a CustomValidator on
// /validate, serving the same certificates as Portcullis.
//
//	controller-runtime-widget <port> <certDir>
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: controller-runtime-widget <port> <certDir>")
		os.Exit(2)
	}
	port, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "port:", err)
		os.Exit(2)
	}
	// The kubebuilder scaffold's logger (zap, development mode, to stderr).
	ctrl.SetLogger(zap.New(zap.UseDevMode(true)))

	scheme := runtime.NewScheme()
	if err := addKnownTypes(scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server := webhook.NewServer(webhook.Options{
		Host:    "127.0.0.1",
		Port:    port,
		CertDir: os.Args[2],
		// The kubebuilder scaffold turns HTTP/2 off by default.
		TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	})
	server.Register("/mutate", admission.WithCustomDefaulter(scheme, &Widget{}, &WidgetCustomDefaulter{}))
	server.Register("/validate", admission.WithCustomValidator(scheme, &Widget{}, &WidgetCustomValidator{}))
	server.WebhookMux().HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := server.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
