; expect: ok
namespace nested on
org $008000
Top:
namespace Outer
Main:
	nop
namespace Inner
Main:
	nop
	dw Main, Top
namespace off
	dw Main
namespace off
	dw Outer_Main, Outer_Inner_Main
namespace nested off
