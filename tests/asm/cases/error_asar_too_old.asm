; expect: error Easar_too_old
asar 9.0
org $008000
