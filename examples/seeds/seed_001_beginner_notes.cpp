// Seed 001 (beginner notes) in C++: filter().afirst(), acreate, aupdate_or_create,
// filter().adelete(), values_list, and the "common mistakes" with await.
//
//   seed_001_beginner_notes [FILE]     (default: a file in the temp folder; deleted first)
//
// Stand-ins: User ↦ Author, Post ↦ Article, Profile ↦ Author (email is the key, name the
// bio), Book ↦ Tag (a model with one title-like column), User.is_active ↦ Comment.approved.
#include "seed_common.hpp"

namespace seeds {
namespace {

const auto& A = Article::f;

// async def get_user(): user = await User.objects.afilter().afirst(); return user
// (`afilter` does not exist in Django: filter() builds, afirst() runs the query.)
aorm::Task<std::optional<Author>> get_user() { co_return co_await Author::objects.filter().afirst(); }

// async def create_post(): post = await Post.objects.acreate(title='Hello', content='World')
aorm::Task<Article> create_post(Author author) {
  Article post{.title = "Hello", .slug = "hello", .body = "World", .author = author};
  co_return co_await Article::objects.acreate(post);
}

// async def update_or_create_profile():
//     profile, created = await Profile.objects.aupdate_or_create(user_id=1, defaults={'bio': 'New bio'})
aorm::Task<std::pair<Author, bool>> update_or_create_profile() {
  co_return co_await Author::objects.aupdate_or_create(Author::f.email == "ada@example.com",
                                                       aorm::defaults(Author::f.name = "New bio"));
}

// The Book demo: create, fetch the first, update_or_create, delete.
aorm::Task<void> async_orm_demo() {
  // book = await Book.objects.acreate(title='Async Django')
  Tag book_in{.name = "Async Django"};
  Tag book = co_await Tag::objects.acreate(book_in);
  std::cout << "Created book: " << book.name << '\n';

  // first_book = await Book.objects.afilter().afirst()
  std::optional<Tag> first_book = co_await Tag::objects.filter().afirst();
  std::cout << "First book title: " << (first_book ? first_book->name : "None") << '\n';
  expect(first_book && first_book->id == book.id, "first book is the one created");

  // updated_book, created = await Book.objects.aupdate_or_create(
  //     title='Async Django', defaults={'title': 'Async Django Updated'})
  auto [updated_book, created] = co_await Tag::objects.aupdate_or_create(
      Tag::f.name == "Async Django", aorm::defaults(Tag::f.name = "Async Django Updated"));
  std::cout << "Updated book title: " << updated_book.name << ", Created: " << std::boolalpha
            << created << '\n';
  expect(!created && updated_book.name == "Async Django Updated", "updated in place");

  // deleted_count, _ = await Book.objects.afilter(title='Async Django Updated').adelete()
  aorm::DeleteResult deleted = co_await Tag::objects.filter(Tag::f.name == "Async Django Updated").adelete();
  std::cout << "Deleted books count: " << deleted.total << '\n';
  expect(deleted.total == 1, "one book deleted");
}

aorm::Task<void> seed_001(std::string path) {
  aorm::Database db = co_await open_fresh(path);

  // await Model.objects.acreate(field=value)
  section("acreate");
  Author ada = co_await an_author();
  Article post = co_await create_post(ada);
  std::cout << "post #" << post.id << ": " << post.title << " / " << post.body.value_or("") << '\n';

  // await Model.objects.afilter(field=value).afirst()
  section("filter().afirst()");
  std::optional<Author> user = co_await get_user();
  std::optional<Article> hello = co_await Article::objects.filter(A.title == "Hello").afirst();
  std::cout << "user: " << (user ? user->name : "None") << ", post: " << (hello ? hello->slug : "None") << '\n';
  expect(user && hello, "both found");

  // await Model.objects.aupdate_or_create(defaults={...}, field=value)
  section("aupdate_or_create");
  auto [profile, profile_created] = co_await update_or_create_profile();
  std::cout << "profile name is now \"" << profile.name << "\", created: " << std::boolalpha
            << profile_created << '\n';
  expect(!profile_created && profile.name == "New bio", "profile updated");

  section("the Book demo");
  co_await async_orm_demo();

  // async def get_usernames():
  //     users = await User.objects.filter(is_active=True).values_list('username', flat=True)
  // (In Django the await belongs on .alist(): a values_list QuerySet is not awaitable.)
  section("values_list(flat=True)");
  co_await an_author("Linus", "linus@example.com");
  std::vector<std::string> usernames = co_await Author::objects.order_by(Author::f.name).values_list(Author::f.name).alist();
  for (const std::string& name : usernames) std::cout << "  " << name << '\n';
  expect(usernames.size() == 2, "two usernames");

  // Mistake: post = Post.objects.filter(published=True).first()  -- blocks in async code.
  // Right:   await Post.objects.filter(...).afirst().  In C++ the blocking form does not
  // exist: every terminal method is a Task that must be co_awaited.
  section("afirst on a filter");
  co_await Article::objects.filter(A.pk == post.id).aupdate(A.status = Status::published);
  std::optional<Article> published = co_await Article::objects.filter(A.status == Status::published).afirst();
  expect(published.has_value(), "a published post");
  std::cout << "first published: " << published->title << '\n';

  // Mistake: User.objects.filter(is_active=False).aupdate(is_active=True) without await does
  // nothing. In C++ a Task is [[nodiscard]] and lazy: forgetting co_await is a warning,
  // and the query never runs.
  section("aupdate must be awaited");
  Comment pending{.article = post, .body = "waiting for approval"};
  co_await Comment::objects.acreate(pending);
  const std::int64_t approved =
      co_await Comment::objects.filter(Comment::f.approved == false).aupdate(Comment::f.approved = true);
  std::cout << "approved " << approved << " comment(s)\n";
  expect(approved == 1, "one comment approved");

  // await Model.objects.afilter(field=value).adelete()
  section("filter().adelete()");
  aorm::DeleteResult deleted = co_await Article::objects.filter(A.slug == "hello").adelete();
  std::cout << "deleted " << deleted.total << " row(s) (the post and its comment)\n";
  expect(deleted.total == 2, "post and comment deleted");

  co_await db.aclose();
}

}  // namespace
}  // namespace seeds

int main(int argc, char** argv) {
  return seeds::run_example("seed_001", argc, argv, seeds::seed_001);
}
