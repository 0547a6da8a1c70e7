//go:build js && wasm

// Command engine is Portcullis' CEL engine: apiextensions-apiserver's
// x-kubernetes-validations compiler, cost estimator and validator, with the
// apiserver's CEL environment (cel-go and k8s.io/apiserver/pkg/cel/library),
// built for GOOS=js GOARCH=wasm. It registers one global object,
// portcullisCelEngine, whose functions take and return JSON strings, so
// JavaScript and Go share nothing but text.
package main

import (
	"runtime/debug"
	"syscall/js"
)

func main() {
	// Fewer, larger collections: the wasm heap is small and collection is single-threaded.
	debug.SetGCPercent(400)
	api := js.Global().Get("Object").New()
	api.Set("compileSchema", js.FuncOf(compileSchema))
	api.Set("validate", js.FuncOf(validate))
	api.Set("release", js.FuncOf(release))
	js.Global().Set("portcullisCelEngine", api)
	select {}
}
