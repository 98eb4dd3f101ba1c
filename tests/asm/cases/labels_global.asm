; expect: ok
; global defines a label outside the namespace; in asar 1.91 its sublabels still get the
; namespace prefix (NS_Shared_Sub).
namespace NS
org $008000
global Shared:
.Sub:
	nop
Local:
	nop
global #Another:
.Sub2:
	nop
namespace off
	dw NS_Local, Shared, NS_Shared_Sub, Another, NS_Local_Sub2
