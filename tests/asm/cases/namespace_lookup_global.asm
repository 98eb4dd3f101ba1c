; expect: ok
; Inside a namespace, a label not found there is looked up globally.
org $008000
Global:
	nop
namespace Mod
	jmp Global
Own:
	jmp Own
namespace off
	jmp Mod_Own
