; expect: ok
org $008000
namespace A
Lbl:
	nop
pushns
namespace B
Lbl:
	nop
pullns
Lbl2:
	nop
namespace off
	dw A_Lbl, B_Lbl, A_Lbl2
