; expect: ok
org $008000
base $7E2000
InRam:
	jsl Helper
pushbase
base off
Helper:
	rtl
pullbase
Back:
	dl InRam, Helper, Back
base off
