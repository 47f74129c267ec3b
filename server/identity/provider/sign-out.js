// Submits the provider's sign-out form as "yes, sign me out". The sign-out page loads this script
// only when the request carried the signed-in user's own ID token, so no other site can use it.
const form = document.getElementById('op.logoutForm');
if (form instanceof HTMLFormElement) {
  const logout = document.createElement('input');
  logout.type = 'hidden';
  logout.name = 'logout';
  logout.value = 'yes';
  form.append(logout);
  form.submit();
}
