package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// WidgetCustomDefaulter sets the defaults the Widget schema declares, as a
// kubebuilder webhook would (the apiserver applies them too, but a webhook
// written in Go repeats them in code).
type WidgetCustomDefaulter struct{}

var _ admission.CustomDefaulter = &WidgetCustomDefaulter{}

// Default implements admission.CustomDefaulter.
func (d *WidgetCustomDefaulter) Default(_ context.Context, obj runtime.Object) error {
	w, ok := obj.(*Widget)
	if !ok {
		return fmt.Errorf("expected a Widget but got a %T", obj)
	}
	s := &w.Spec
	if s.Replicas == nil {
		one := int32(1)
		s.Replicas = &one
	}
	if s.Tier == "" {
		s.Tier = "backend"
	}
	if s.Resources == nil {
		s.Resources = &WidgetResources{}
	}
	if s.Resources.CPU == "" {
		s.Resources.CPU = "100m"
	}
	if s.Resources.MemoryMiB == nil {
		m := int64(128)
		s.Resources.MemoryMiB = &m
	}
	for i := range s.Hooks {
		if s.Hooks[i].TimeoutSeconds == nil {
			t := int64(5)
			s.Hooks[i].TimeoutSeconds = &t
		}
	}
	if s.Paused == nil {
		f := false
		s.Paused = &f
	}
	return nil
}

// WidgetCustomValidator checks what the Widget schema states: required
// fields, lengths, patterns, bounds, enums, list sizes and URL format.
type WidgetCustomValidator struct{}

var _ admission.CustomValidator = &WidgetCustomValidator{}

var (
	imagePattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9./:_-]*$`)
	cpuPattern      = regexp.MustCompile(`^[0-9]+m?$`)
	hookNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	tiers           = []string{"frontend", "backend", "batch"}
	events          = []string{"create", "update", "delete"}
	phases          = []string{"Pending", "Ready", "Failed"}
)

// ValidateCreate implements admission.CustomValidator.
func (v *WidgetCustomValidator) ValidateCreate(_ context.Context, obj runtime.Object) (admission.Warnings, error) {
	return nil, validateWidget(obj)
}

// ValidateUpdate implements admission.CustomValidator.
func (v *WidgetCustomValidator) ValidateUpdate(_ context.Context, _, newObj runtime.Object) (admission.Warnings, error) {
	return nil, validateWidget(newObj)
}

// ValidateDelete implements admission.CustomValidator.
func (v *WidgetCustomValidator) ValidateDelete(_ context.Context, _ runtime.Object) (admission.Warnings, error) {
	return nil, nil
}

func validateWidget(obj runtime.Object) error {
	w, ok := obj.(*Widget)
	if !ok {
		return fmt.Errorf("expected a Widget but got a %T", obj)
	}
	var errs field.ErrorList
	spec := field.NewPath("spec")
	s := w.Spec
	p := spec.Child("image")
	switch {
	case s.Image == "":
		errs = append(errs, field.Required(p, ""))
	case len(s.Image) > 255:
		errs = append(errs, field.TooLong(p, s.Image, 255))
	case !imagePattern.MatchString(s.Image):
		errs = append(errs, field.Invalid(p, s.Image, "should match '"+imagePattern.String()+"'"))
	}
	if s.Replicas != nil && (*s.Replicas < 0 || *s.Replicas > 10) {
		errs = append(errs, field.Invalid(spec.Child("replicas"), *s.Replicas, "should be between 0 and 10"))
	}
	if s.Tier != "" && !oneOf(s.Tier, tiers) {
		errs = append(errs, field.NotSupported(spec.Child("tier"), s.Tier, tiers))
	}
	if len(s.Owner) > 63 {
		errs = append(errs, field.TooLong(spec.Child("owner"), s.Owner, 63))
	}
	if r := s.Resources; r != nil {
		if r.CPU != "" && !cpuPattern.MatchString(r.CPU) {
			errs = append(errs, field.Invalid(spec.Child("resources", "cpu"), r.CPU, "should match '"+cpuPattern.String()+"'"))
		}
		if r.MemoryMiB != nil && (*r.MemoryMiB < 16 || *r.MemoryMiB > 65536) {
			errs = append(errs, field.Invalid(spec.Child("resources", "memoryMiB"), *r.MemoryMiB, "should be between 16 and 65536"))
		}
	}
	hooks := spec.Child("hooks")
	if len(s.Hooks) > 5 {
		errs = append(errs, field.TooMany(hooks, len(s.Hooks), 5))
	}
	for i, h := range s.Hooks {
		hp := hooks.Index(i)
		switch {
		case h.Name == "":
			errs = append(errs, field.Required(hp.Child("name"), ""))
		case len(h.Name) > 32:
			errs = append(errs, field.TooLong(hp.Child("name"), h.Name, 32))
		case !hookNamePattern.MatchString(h.Name):
			errs = append(errs, field.Invalid(hp.Child("name"), h.Name, "should match '"+hookNamePattern.String()+"'"))
		}
		if h.URL == "" {
			errs = append(errs, field.Required(hp.Child("url"), ""))
		} else if u, err := url.Parse(h.URL); err != nil || u.Scheme == "" {
			errs = append(errs, field.Invalid(hp.Child("url"), h.URL, "must be a URI"))
		}
		if h.TimeoutSeconds != nil && (*h.TimeoutSeconds < 1 || *h.TimeoutSeconds > 30) {
			errs = append(errs, field.Invalid(hp.Child("timeoutSeconds"), *h.TimeoutSeconds, "should be between 1 and 30"))
		}
		if h.Events != nil && len(h.Events) < 1 {
			errs = append(errs, field.Invalid(hp.Child("events"), len(h.Events), "should have at least 1 items"))
		}
		for j, e := range h.Events {
			if !oneOf(e, events) {
				errs = append(errs, field.NotSupported(hp.Child("events").Index(j), e, events))
			}
		}
	}
	for k, v := range s.Labels {
		if len(v) > 63 {
			errs = append(errs, field.TooLong(spec.Child("labels").Key(k), v, 63))
		}
	}
	if st := w.Status; st != nil {
		if st.Phase != "" && !oneOf(st.Phase, phases) {
			errs = append(errs, field.NotSupported(field.NewPath("status", "phase"), st.Phase, phases))
		}
		if st.ReadyReplicas != nil && *st.ReadyReplicas < 0 {
			errs = append(errs, field.Invalid(field.NewPath("status", "readyReplicas"), *st.ReadyReplicas, "should be greater than or equal to 0"))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(schema.GroupKind{Group: GroupVersion.Group, Kind: "Widget"}, w.Name, errs)
}

func oneOf(value string, allowed []string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	return false
}
