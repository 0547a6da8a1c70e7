//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"syscall/js"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/cel/common"
)

var scheme = runtime.NewScheme()

func init() {
	install.Install(scheme)
}

type compiledSchema struct {
	structural *structuralschema.Structural
	validator  *cel.Validator
}

var (
	mu      sync.Mutex
	nextID  = 1
	handles = map[int]*compiledSchema{}
)

// schemaPrefix is where the apiserver reports a CRD's only (or shared) schema.
const schemaPrefix = "spec.validation.openAPIV3Schema"

type fieldError struct {
	Type      string      `json:"type"`
	Field     string      `json:"field"`
	BadValue  interface{} `json:"badValue,omitempty"`
	OmitValue bool        `json:"omitValue,omitempty"`
	Detail    string      `json:"detail,omitempty"`
	// Message is the error as the apiserver prints it (field.Error.Error()).
	Message string `json:"message"`
}

func toFieldErrors(list field.ErrorList) []fieldError {
	out := make([]fieldError, 0, len(list))
	for _, e := range list {
		fe := fieldError{Type: string(e.Type), Field: e.Field, Detail: e.Detail, Message: e.Error()}
		if _, omit := e.BadValue.(field.OmitValueType); omit {
			fe.OmitValue = true
		} else if e.Type != field.ErrorTypeRequired && e.Type != field.ErrorTypeForbidden {
			fe.BadValue = e.BadValue
		}
		out = append(out, fe)
	}
	return out
}

func reply(v interface{}) js.Value {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	return js.ValueOf(string(b))
}

// compileSchema takes a CRD version's openAPIV3Schema (apiextensions.k8s.io/v1
// JSON), checks it as the apiserver checks a new CRD with that schema, and
// compiles its x-kubernetes-validations. It returns {handle, errors}: errors
// are the CRD validation errors about x-kubernetes-validations (compilation,
// cost, fieldPath, messageExpression...), their paths relative to the schema.
// handle is 0 when the schema has no rules or can't be compiled.
func compileSchema(_ js.Value, args []js.Value) interface{} {
	var props apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal([]byte(args[0].String()), &props); err != nil {
		return reply(map[string]string{"error": fmt.Sprintf("decoding the schema: %v", err)})
	}
	crd := syntheticCRD(&props)
	scheme.Default(crd)
	var internal apiextensions.CustomResourceDefinition
	if err := scheme.Convert(crd, &internal, nil); err != nil {
		return reply(map[string]string{"error": fmt.Sprintf("converting the schema: %v", err)})
	}
	var errs field.ErrorList
	for _, e := range validation.ValidateCustomResourceDefinition(context.Background(), &internal) {
		if strings.Contains(e.Field, "x-kubernetes-validations") || strings.Contains(e.Detail, "x-kubernetes-validations") {
			e.Field = strings.TrimPrefix(strings.TrimPrefix(e.Field, schemaPrefix), ".")
			errs = append(errs, e)
		}
	}
	id := 0
	if internal.Spec.Validation != nil && internal.Spec.Validation.OpenAPIV3Schema != nil {
		if s, err := structuralschema.NewStructural(internal.Spec.Validation.OpenAPIV3Schema); err == nil {
			if v := cel.NewValidator(s, true, celconfig.PerCallLimit); v != nil {
				mu.Lock()
				id = nextID
				nextID++
				handles[id] = &compiledSchema{structural: s, validator: v}
				mu.Unlock()
			}
		}
	}
	return reply(map[string]interface{}{"handle": id, "errors": toFieldErrors(errs)})
}

// syntheticCRD wraps one schema in a CRD the apiserver would otherwise accept.
func syntheticCRD(props *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.CustomResourceDefinition {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	crd.Name = "objects.cel.portcullis.invalid"
	crd.Spec.Group = "cel.portcullis.invalid"
	crd.Spec.Scope = apiextensionsv1.NamespaceScoped
	crd.Spec.Names = apiextensionsv1.CustomResourceDefinitionNames{Plural: "objects", Singular: "object", Kind: "Object", ListKind: "ObjectList"}
	crd.Spec.Versions = []apiextensionsv1.CustomResourceDefinitionVersion{{
		Name: "v1", Served: true, Storage: true,
		Schema:       &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: props},
	}}
	crd.Status.StoredVersions = []string{"v1"}
	return crd
}

// validate runs a compiled schema's x-kubernetes-validations on an object
// (and its old version on update, with the apiserver's ratcheting) within
// the apiserver's per-request cost budget. Both are pruned first, as the
// apiserver prunes unknown fields before it validates. args: handle, object JSON, old
// object JSON or "". It returns {errors}.
func validate(_ js.Value, args []js.Value) interface{} {
	mu.Lock()
	c := handles[args[0].Int()]
	mu.Unlock()
	if c == nil {
		return reply(map[string]string{"error": "unknown schema handle"})
	}
	var obj, old interface{}
	if err := utiljson.Unmarshal([]byte(args[1].String()), &obj); err != nil {
		return reply(map[string]string{"error": fmt.Sprintf("decoding the object: %v", err)})
	}
	structuralpruning.Prune(obj, c.structural, true)
	var opts []cel.Option
	if oldText := args[2].String(); oldText != "" {
		if err := utiljson.Unmarshal([]byte(oldText), &old); err != nil {
			return reply(map[string]string{"error": fmt.Sprintf("decoding the old object: %v", err)})
		}
		structuralpruning.Prune(old, c.structural, true)
		opts = append(opts, cel.WithRatcheting(common.NewCorrelatedObject(obj, old, &model.Structural{Structural: c.structural})))
	}
	errs, _ := c.validator.Validate(context.Background(), nil, c.structural, obj, old, celconfig.RuntimeCELCostBudget, opts...)
	return reply(map[string]interface{}{"errors": toFieldErrors(errs)})
}

// release forgets a handle from compileSchema.
func release(_ js.Value, args []js.Value) interface{} {
	mu.Lock()
	delete(handles, args[0].Int())
	mu.Unlock()
	return nil
}
