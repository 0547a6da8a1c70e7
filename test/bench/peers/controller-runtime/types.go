package main

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The Widget API (manifests/crds/widgets.yaml) as kubebuilder would scaffold
// it: typed structs, pointers where the schema has a default or the zero
// value is meaningful, and the deep copies controller-gen would generate.

// GroupVersion is the Widget CRD's group and served version.
var GroupVersion = schema.GroupVersion{Group: "demo.portcullis.dev", Version: "v1"}

// Widget is the schema for the widgets API.
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   WidgetSpec    `json:"spec"`
	Status *WidgetStatus `json:"status,omitempty"`
}

// WidgetSpec is the desired state of a Widget.
type WidgetSpec struct {
	Image          string            `json:"image"`
	Replicas       *int32            `json:"replicas,omitempty"`
	Tier           string            `json:"tier,omitempty"`
	Owner          string            `json:"owner,omitempty"`
	DeprecatedSize string            `json:"deprecatedSize,omitempty"`
	Resources      *WidgetResources  `json:"resources,omitempty"`
	Hooks          []WidgetHook      `json:"hooks,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Paused         *bool             `json:"paused,omitempty"`
	Notes          *string           `json:"notes,omitempty"`
}

// WidgetResources is what one replica asks for.
type WidgetResources struct {
	CPU       string `json:"cpu,omitempty"`
	MemoryMiB *int64 `json:"memoryMiB,omitempty"`
}

// WidgetHook is a URL called on lifecycle events.
type WidgetHook struct {
	Name           string   `json:"name"`
	URL            string   `json:"url"`
	TimeoutSeconds *int64   `json:"timeoutSeconds,omitempty"`
	Events         []string `json:"events,omitempty"`
}

// WidgetStatus is the observed state of a Widget.
type WidgetStatus struct {
	Phase         string `json:"phase,omitempty"`
	ReadyReplicas *int64 `json:"readyReplicas,omitempty"`
}

// DeepCopyObject implements runtime.Object.
func (w *Widget) DeepCopyObject() runtime.Object {
	if w == nil {
		return nil
	}
	out := new(Widget)
	w.DeepCopyInto(out)
	return out
}

// DeepCopyInto copies w into out.
func (w *Widget) DeepCopyInto(out *Widget) {
	*out = *w
	out.TypeMeta = w.TypeMeta
	w.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	w.Spec.DeepCopyInto(&out.Spec)
	if w.Status != nil {
		s := *w.Status
		if w.Status.ReadyReplicas != nil {
			r := *w.Status.ReadyReplicas
			s.ReadyReplicas = &r
		}
		out.Status = &s
	}
}

// DeepCopyInto copies s into out.
func (s *WidgetSpec) DeepCopyInto(out *WidgetSpec) {
	*out = *s
	if s.Replicas != nil {
		v := *s.Replicas
		out.Replicas = &v
	}
	if s.Resources != nil {
		r := *s.Resources
		if s.Resources.MemoryMiB != nil {
			m := *s.Resources.MemoryMiB
			r.MemoryMiB = &m
		}
		out.Resources = &r
	}
	if s.Hooks != nil {
		out.Hooks = make([]WidgetHook, len(s.Hooks))
		for i := range s.Hooks {
			h := s.Hooks[i]
			if h.TimeoutSeconds != nil {
				t := *h.TimeoutSeconds
				h.TimeoutSeconds = &t
			}
			if h.Events != nil {
				h.Events = append([]string(nil), h.Events...)
			}
			out.Hooks[i] = h
		}
	}
	if s.Labels != nil {
		out.Labels = make(map[string]string, len(s.Labels))
		for k, v := range s.Labels {
			out.Labels[k] = v
		}
	}
	if s.Paused != nil {
		p := *s.Paused
		out.Paused = &p
	}
	if s.Notes != nil {
		n := *s.Notes
		out.Notes = &n
	}
}

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(GroupVersion, &Widget{})
	metav1.AddToGroupVersion(scheme, GroupVersion)
	return nil
}
