; expect: error Einvalid_global_label
namespace NS
org $008000
global ?Sub:
	nop
namespace off
