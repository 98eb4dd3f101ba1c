; expect: ok
org $008000
namespace First
Main:
	nop
	dw Main
namespace Second
Main:
	nop
	dw Main
namespace off
Main:
	dw First_Main, Second_Main, Main
